import { describe, expect, it } from 'vitest';
import { compilerDiagnostics, constructOfHeader, pythonStatementFor } from '../../src/core/compiler-output.js';

describe('constructOfHeader', () => {
  it.each([
    ['/x/pythran/pythonic/numpy/dot.hpp', 'numpy.dot'],
    ['pythonic/include/builtins/list/append.hpp', 'builtins.list.append'],
    ['/y/pythran/pythonic/types/ndarray.hpp', 'pythonic types/ndarray'],
    ['/tmp/tmpabc.cpp', null],
  ])('%s -> %s', (file, construct) => {
    expect(constructOfHeader(file)).toBe(construct);
  });
});

describe('compilerDiagnostics', () => {
  it('keeps the first distinct errors, counts them all, and names the function', () => {
    const out = [
      "t.cpp: In member function 'auto __pythran_m::kernel::operator()(T) const':",
      "t.cpp:10:5: error: no match for 'operator+' (pythonic::numpy::functor::zeros)",
      '   10 |     a + b;',
      "t.cpp:10:5: error: no match for 'operator+' (pythonic::numpy::functor::zeros)",
      "t.cpp:12:1: error: expected ';'",
      "t.cpp:13:1: error: 'x' was not declared in this scope",
      "t.cpp:14:1: error: 'y' was not declared in this scope",
      'E: error: Command "g++ t.cpp" failed with exit status 1',
    ].join('\n');
    const d = compilerDiagnostics(out);
    expect(d.function).toBe('kernel');
    expect(d.construct).toBe('numpy.zeros');
    expect(d.count).toBe(5);
    expect(d.errors).toEqual([
      "t.cpp:10:5: error: no match for 'operator+' (pythonic::numpy::functor::zeros)\n    a + b;",
      "t.cpp:12:1: error: expected ';'",
      "t.cpp:13:1: error: 'x' was not declared in this scope",
    ]);
  });

  it('nothing to show when there is no error line', () => {
    expect(compilerDiagnostics('INFO: gcc: x.cpp\nE: error: Command "gcc" failed')).toEqual({ errors: [], function: null, construct: null, count: 0, generatedCode: null });
  });
});

describe('the Python statement behind a compiler error', () => {
  const annotated = [
    '    // def swap_first(n):',
    '    {',
    '      //     s = range(n)',
    '      __type24 s = pythonic::builtins::functor::range{}(n);',
    '      //     s[0], s[1] = s[1], s[0]',
    '      auto __tuple0 = pythonic::types::make_tuple(std::get<1>(s), std::get<0>(s));',
    '      // def swap_first(n):',
    '      std::get<0>(s) = std::get<0>(__tuple0);',
  ].join('\n');
  const source = '# comment\n#pythran export swap_first(int)\ndef swap_first(n):\n    s = range(n)\n    s[0], s[1] = s[1], s[0]\n    return s[0]\n';

  it('generatedCode is the first quoted line of the generated .cpp, at an error or a "required from here"', () => {
    const out = [
      '/x/pythonic/numpy/dot.hpp:40:5: error: no matching function',
      '   40 |     cblas_dgemv(x);',
      '/b/tmpabc.cpp:91:7:   required from here',
      '   91 |       std::get<0>(s) = std::get<0>(__tuple0);',
    ].join('\n');
    expect(compilerDiagnostics(out).generatedCode).toBe('std::get<0>(s) = std::get<0>(__tuple0);');
  });

  it('walks up to the nearest statement comment, past the def lines Pythran puts on unpacked assignments', () => {
    expect(pythonStatementFor(annotated, 'std::get<0>(s) = std::get<0>(__tuple0);', source)).toEqual({ line: 5, text: 's[0], s[1] = s[1], s[0]' });
    expect(pythonStatementFor(annotated, '__type24 s = pythonic::builtins::functor::range{}(n);', source)).toEqual({ line: 4, text: 's = range(n)' });
  });

  it('null when the code is not in the annotated C++', () => {
    expect(pythonStatementFor(annotated, 'nothing like it;', source)).toBeNull();
  });
});
