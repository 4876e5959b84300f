import { describe, expect, it } from 'vitest';
import { compilerDiagnostics, constructOfHeader } from '../../src/core/compiler-output.js';

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
    expect(compilerDiagnostics('INFO: gcc: x.cpp\nE: error: Command "gcc" failed')).toEqual({ errors: [], function: null, construct: null, count: 0 });
  });
});
