import { describe, it, expect } from 'vitest';
import {
  formatType,
  signatureText,
  parseExports,
  SpecSyntaxError,
  type ArgType,
  type Axis,
  type Dtype,
  type ExportSignature,
  type Param,
} from '../../src/core/signature.js';

/** The one export of a one-line source. */
function only(source: string): ExportSignature {
  const all = parseExports(source);
  expect(all).toHaveLength(1);
  return all[0] as ExportSignature;
}

/** The parameters of `f(<spec>)`. */
function paramsOf(spec: string): Param[] {
  const params = only(`# pythran export f(${spec})`).params;
  expect(params).not.toBeNull();
  return params as Param[];
}

/** The type of the single parameter of `f(<spec>)`. */
function typeOf(spec: string): ArgType {
  const params = paramsOf(spec);
  expect(params).toHaveLength(1);
  return (params[0] as Param).type;
}

function syntaxError(source: string): SpecSyntaxError {
  try {
    parseExports(source);
  } catch (error) {
    if (error instanceof SpecSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a SpecSyntaxError for ${JSON.stringify(source)}`);
}

const axis = (size: number | null = null, strided = false): Axis => ({ size, strided });
const scalar = (dtype: Dtype): ArgType => ({ kind: 'scalar', dtype });
const array = (dtype: Dtype, axes: Axis[], order: 'C' | 'F' = 'C'): ArgType => ({ kind: 'array', dtype, axes, order });
const req = (type: ArgType): Param => ({ type, optional: false });

const SEED = `import numpy as np

# pythran export simpler_leak(float32[:, :], int, int)
# pythran export simpler_no_leak(float32[:, :], int, int)

def simpler_leak(correl, ix, iy):
    # returning this view leads to a leak!
    correl_crop = correl[iy - 1 : iy + 2, ix - 1 : ix + 2]
    return correl_crop

def simpler_no_leak(correl, ix, iy):
    correl_crop = np.ascontiguousarray(correl[iy - 1 : iy + 2, ix - 1 : ix + 2])
    return correl_crop
`;

describe('parseExports: the seed', () => {
  it('reads both exports of the canonical view-leak example with their lines', () => {
    const image = array('float32', [axis(), axis()]);
    expect(parseExports(SEED)).toEqual([
      {
        name: 'simpler_leak',
        line: 3,
        params: [req(image), req(scalar('int')), req(scalar('int'))],
        flavour: 'function',
        text: expect.any(String),
      },
      {
        name: 'simpler_no_leak',
        line: 4,
        params: [req(image), req(scalar('int')), req(scalar('int'))],
        flavour: 'function',
        text: expect.any(String),
      },
    ]);
  });

  it('keeps the export text (up to spacing) for messages', () => {
    const [leak] = parseExports(SEED);
    expect(leak?.text.replace(/\s+/g, '')).toBe('simpler_leak(float32[:,:],int,int)');
  });

  it('does not take the comment inside the function body for anything', () => {
    expect(parseExports(SEED).map((e) => e.name)).toEqual(['simpler_leak', 'simpler_no_leak']);
  });
});

describe('parseExports: scalars', () => {
  const dtypes: Dtype[] = [
    'bool', 'int', 'float', 'complex',
    'int8', 'int16', 'int32', 'int64', 'intp', 'intc',
    'uint8', 'uint16', 'uint32', 'uint64', 'uintp', 'uintc',
    'float32', 'float64', 'float128',
    'complex64', 'complex128', 'complex256',
    'byte', 'long', 'uint',
  ];
  it.each(dtypes)('%s is a scalar of that dtype', (dtype) => {
    expect(paramsOf(dtype)).toEqual([req(scalar(dtype))]);
  });

  it('str, None and slice have their own kinds', () => {
    expect(paramsOf('str, None, slice')).toEqual([req({ kind: 'str' }), req({ kind: 'none' }), req({ kind: 'slice' })]);
  });

  it('keeps parameters in order', () => {
    expect(paramsOf('bool, uint8, complex64, float').map((p) => p.type)).toEqual([
      scalar('bool'),
      scalar('uint8'),
      scalar('complex64'),
      scalar('float'),
    ]);
  });

  it('dtype names are case sensitive', () => {
    const err = syntaxError('# pythran export f(Float)');
    expect(err.message).toBe("unknown type 'Float'");
    expect([err.line, err.column]).toEqual([1, 20]);
  });
});

describe('parseExports: arrays', () => {
  it('float32[:, :] is a 2-D C-ordered array of unknown sizes', () => {
    expect(typeOf('float32[:, :]')).toEqual(array('float32', [axis(), axis()]));
  });

  it('float32[:,:] without spaces is the same', () => {
    expect(typeOf('float32[:,:]')).toEqual(typeOf('float32[:, :]'));
  });

  it('float[] is the old spelling of float[:]', () => {
    expect(typeOf('float[]')).toEqual(array('float', [axis()]));
    expect(typeOf('float[:]')).toEqual(array('float', [axis()]));
  });

  it('float[][] and float[:][:] are 2-D', () => {
    expect(typeOf('float[][]')).toEqual(array('float', [axis(), axis()]));
    expect(typeOf('float[:][:]')).toEqual(array('float', [axis(), axis()]));
  });

  it('a 3-D array has three axes', () => {
    expect(typeOf('int32[:, :, :]')).toEqual(array('int32', [axis(), axis(), axis()]));
  });

  it('fixed sizes are kept per axis', () => {
    expect(typeOf('int8[3, :]')).toEqual(array('int8', [axis(3), axis()]));
    expect(typeOf('float64[:, 4, 12]')).toEqual(array('float64', [axis(), axis(4), axis(12)]));
  });

  it('float64[::] is strided', () => {
    expect(typeOf('float64[::]')).toEqual(array('float64', [axis(null, true)]));
  });

  it('strided and plain axes can be mixed', () => {
    expect(typeOf('float64[::, :]')).toEqual(array('float64', [axis(null, true), axis()]));
    expect(typeOf('float64[:, ::]')).toEqual(array('float64', [axis(), axis(null, true)]));
  });

  it('[: :] with a blank is strided too (Pythran skips blanks between the colons)', () => {
    expect(typeOf('float[: :]')).toEqual(array('float', [axis(null, true)]));
  });

  it('order(F) marks a Fortran-ordered array, order(C) a C-ordered one', () => {
    expect(typeOf('float[:,:] order(F)')).toEqual(array('float', [axis(), axis()], 'F'));
    expect(typeOf('float[:,:] order(C)')).toEqual(array('float', [axis(), axis()], 'C'));
  });

  it('an array can be optional', () => {
    expect(paramsOf('float32[:, :]?')).toEqual([{ type: array('float32', [axis(), axis()]), optional: true }]);
  });
});

describe('parseExports: containers', () => {
  it('int list', () => {
    expect(typeOf('int list')).toEqual({ kind: 'list', item: scalar('int') });
  });

  it('float set', () => {
    expect(typeOf('float set')).toEqual({ kind: 'set', item: scalar('float') });
  });

  it('int:float dict', () => {
    expect(typeOf('int:float dict')).toEqual({ kind: 'dict', key: scalar('int'), value: scalar('float') });
  });

  it('suffixes nest left to right: int list list, int list set', () => {
    expect(typeOf('int list list')).toEqual({ kind: 'list', item: { kind: 'list', item: scalar('int') } });
    expect(typeOf('int list set')).toEqual({ kind: 'set', item: { kind: 'list', item: scalar('int') } });
  });

  it('a list of arrays', () => {
    expect(typeOf('float[:] list')).toEqual({ kind: 'list', item: array('float', [axis()]) });
  });

  it('a dict with container values, and a list of dicts', () => {
    expect(typeOf('str:int list dict')).toEqual({
      kind: 'dict',
      key: { kind: 'str' },
      value: { kind: 'list', item: scalar('int') },
    });
    expect(typeOf('str:float dict list')).toEqual({
      kind: 'list',
      item: { kind: 'dict', key: { kind: 'str' }, value: scalar('float') },
    });
  });

  it('a dict of dicts nests to the right', () => {
    expect(typeOf('str:int:float dict dict')).toEqual({
      kind: 'dict',
      key: { kind: 'str' },
      value: { kind: 'dict', key: scalar('int'), value: scalar('float') },
    });
  });

  it('(int, float[:]) is a tuple', () => {
    expect(typeOf('(int, float[:])')).toEqual({ kind: 'tuple', items: [scalar('int'), array('float', [axis()])] });
  });

  it('(int,) is a one-element tuple and tuples nest', () => {
    expect(typeOf('(int,)')).toEqual({ kind: 'tuple', items: [scalar('int')] });
    expect(typeOf('((int, str), float)')).toEqual({
      kind: 'tuple',
      items: [{ kind: 'tuple', items: [scalar('int'), { kind: 'str' }] }, scalar('float')],
    });
  });

  it('a list of tuples', () => {
    expect(typeOf('(int, float) list')).toEqual({
      kind: 'list',
      item: { kind: 'tuple', items: [scalar('int'), scalar('float')] },
    });
  });

  it('[type] is a parenthesised type, not a list', () => {
    expect(typeOf('[int]')).toEqual(scalar('int'));
    expect(typeOf('[int] list')).toEqual({ kind: 'list', item: scalar('int') });
  });
});

describe('parseExports: alternatives and optional parameters', () => {
  it('int or float is a union of the alternatives', () => {
    expect(typeOf('int or float')).toEqual({ kind: 'union', options: [scalar('int'), scalar('float')] });
    expect(typeOf('float32[:] or float32[:, :]')).toEqual({ kind: 'union', options: [array('float32', [axis()]), array('float32', [axis(), axis()])] });
    expect(typeOf('float or None')).toEqual({ kind: 'union', options: [scalar('float'), { kind: 'none' }] });
  });

  it('three alternatives, and alternatives inside a tuple', () => {
    expect(typeOf('str or int or float')).toEqual({ kind: 'union', options: [{ kind: 'str' }, scalar('int'), scalar('float')] });
    expect(typeOf('(int or float, str)')).toEqual({ kind: 'tuple', items: [{ kind: 'union', options: [scalar('int'), scalar('float')] }, { kind: 'str' }] });
    // `or` binds looser than list, as in Pythran's grammar.
    expect(typeOf('int or float list')).toEqual({ kind: 'union', options: [scalar('int'), { kind: 'list', item: scalar('float') }] });
  });

  it('an alternative does not swallow the next parameter', () => {
    expect(paramsOf('int or float, str').map((p) => p.type)).toEqual([{ kind: 'union', options: [scalar('int'), scalar('float')] }, { kind: 'str' }]);
  });

  it('int? is optional, the others are not', () => {
    expect(paramsOf('int, float?, str?')).toEqual([
      { type: scalar('int'), optional: false },
      { type: scalar('float'), optional: true },
      { type: { kind: 'str' }, optional: true },
    ]);
  });

  it('a trailing comma is allowed', () => {
    expect(paramsOf('int,')).toEqual([req(scalar('int'))]);
  });

  it('f() has an empty parameter list, not null', () => {
    expect(only('# pythran export f()').params).toEqual([]);
  });
});

describe('parseExports: lines and exports', () => {
  it('several exports on one line share the line number', () => {
    expect(parseExports('# pythran export f(int), g(float)').map((e) => [e.name, e.line, e.params])).toEqual([
      ['f', 1, [req(scalar('int'))]],
      ['g', 1, [req(scalar('float'))]],
    ]);
  });

  it('each export line gets its own 1-based line number', () => {
    const source = ['import numpy as np', '', '# pythran export a(int)', 'x = 1', '# pythran export b(float)', ''].join('\n');
    expect(parseExports(source).map((e) => [e.name, e.line])).toEqual([
      ['a', 3],
      ['b', 5],
    ]);
  });

  it('counts lines the same with CRLF line ends', () => {
    const source = 'import numpy as np\r\n\r\n# pythran export a(int)\r\n# pythran export b(float[:])\r\n';
    expect(parseExports(source).map((e) => [e.name, e.line, e.params])).toEqual([
      ['a', 3, [req(scalar('int'))]],
      ['b', 4, [req(array('float', [axis()]))]],
    ]);
  });

  it('#pythran export without a space, extra spaces and indentation are accepted', () => {
    expect(only('#pythran export f(int)').name).toBe('f');
    expect(only('#   pythran   export   f(int)').name).toBe('f');
    expect(only('    # pythran export f(int)').params).toEqual([req(scalar('int'))]);
  });

  it('the same name exported twice appears twice, in order', () => {
    const exports = parseExports('# pythran export f(int)\n# pythran export f(float)');
    expect(exports.map((e) => [e.name, e.params?.[0]?.type])).toEqual([
      ['f', scalar('int')],
      ['f', scalar('float')],
    ]);
  });

  it('a variable export has null params', () => {
    expect(only('# pythran export x')).toEqual({ name: 'x', line: 1, params: null, flavour: 'function', text: 'x' });
  });

  it('variable and function exports can share a line', () => {
    expect(parseExports('# pythran export x, f(int)').map((e) => [e.name, e.params])).toEqual([
      ['x', null],
      ['f', [req(scalar('int'))]],
    ]);
  });

  it('capsule and ufunc exports have their flavour; plain exports are functions', () => {
    const source = [
      '# pythran export capsule cap(int32, float64)',
      '# pythran export ufunc uf(float, float)',
      '# pythran export plain(int)',
    ].join('\n');
    expect(parseExports(source).map((e) => [e.name, e.flavour, e.params?.length])).toEqual([
      ['cap', 'capsule', 2],
      ['uf', 'ufunc', 2],
      ['plain', 'function', 1],
    ]);
  });

  it('functions named like the flavours but without a blank are plain functions', () => {
    expect(only('# pythran export capsule_thing(int)')).toMatchObject({ name: 'capsule_thing', flavour: 'function' });
  });

  it('ignores lines that are not export comments', () => {
    const source = [
      '# pythran is nice',
      '# pythran exported nothing',
      'x = 1  # pythran export f(int)',
      's = "# pythran export g(int)"',
      '# a comment mentioning pythran export h(int)',
      'def f(x): return x',
    ].join('\n');
    expect(parseExports(source)).toEqual([]);
  });

  it('a file without exports yields an empty list', () => {
    expect(parseExports('')).toEqual([]);
    expect(parseExports('def f(x):\n    return x\n')).toEqual([]);
  });
});

describe('parseExports: continuation lines and trailing text (as Pythran reads them)', () => {
  it('an export continues on the comment lines below it', () => {
    const source = ['# pythran export f(int,', '#                  float[:, :])', 'def f(a, b): pass'].join('\n');
    expect(parseExports(source)).toEqual([
      {
        name: 'f',
        line: 1,
        params: [req(scalar('int')), req(array('float', [axis(), axis()]))],
        flavour: 'function',
        text: expect.any(String),
      },
    ]);
  });

  it('blank lines do not end the continuation', () => {
    const source = ['# pythran export f(int,', '', '#  str)', 'def f(a, b): pass'].join('\n');
    expect(only(source).params).toEqual([req(scalar('int')), req({ kind: 'str' })]);
  });

  it('a comment line starting with a comma adds exports to the same statement', () => {
    const source = '# pythran export f(int)\n#   , g(float)';
    expect(parseExports(source).map((e) => [e.name, e.line])).toEqual([
      ['f', 1],
      ['g', 1],
    ]);
  });

  it('text after the export list is ignored, on the same line or the comment lines below', () => {
    const source = [
      "# pythran export f(int)  # the seed's case - see below!",
      '# Returns x. It is (obviously) fine.',
      'def f(x): return x',
    ].join('\n');
    expect(only(source).params).toEqual([req(scalar('int'))]);
  });

  it('a code line ends the continuation: an unfinished export is an error at the end of its line', () => {
    const err = syntaxError('# pythran export f(int,\nx = 1\n#  float)');
    expect(err.message).toBe('unexpected end of export line');
    expect([err.line, err.column]).toEqual([1, 24]);
  });

  it('the next # pythran line ends the continuation', () => {
    const err = syntaxError('# pythran export f(int,\n# pythran export g(float)');
    expect([err.line, err.column]).toEqual([1, 24]);
  });

  it('errors on a continuation line report that line and column', () => {
    const err = syntaxError('# pythran export f(int,\n#                  flot)');
    expect(err.message).toBe("unknown type 'flot'");
    expect([err.line, err.column]).toEqual([2, 20]);
  });
});

describe('parseExports: unsupported types', () => {
  it('a pointer is unsupported', () => {
    expect(typeOf('float64*')).toEqual({ kind: 'unsupported', text: 'pointer' });
  });

  it('a capsule with pointer arguments', () => {
    expect(only('# pythran export capsule cb(int32, float64*)')).toMatchObject({
      name: 'cb',
      flavour: 'capsule',
      params: [req(scalar('int32')), req({ kind: 'unsupported', text: 'pointer' })],
    });
  });

  it('a function type keeps its result and parameter types, with or without arguments', () => {
    expect(typeOf('float (int, int)')).toEqual({ kind: 'function', result: scalar('float'), params: [scalar('int'), scalar('int')] });
    expect(typeOf('float ()')).toEqual({ kind: 'function', result: scalar('float'), params: [] });
    expect(paramsOf('int (float), str').map((p) => p.type)).toEqual([
      { kind: 'function', result: scalar('int'), params: [scalar('float')] },
      { kind: 'str' },
    ]);
    expect(typeOf('float64(float64[:], int)')).toEqual({ kind: 'function', result: scalar('float64'), params: [array('float64', [axis()]), scalar('int')] });
  });
});

describe('parseExports: syntax errors', () => {
  it('an unknown type names itself at its 1-based line and column', () => {
    const err = syntaxError('import numpy\n\n# pythran export f(int, foo)');
    expect(err).toBeInstanceOf(SpecSyntaxError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('SpecSyntaxError');
    expect(err.message).toBe("unknown type 'foo'");
    expect(err.line).toBe(3);
    expect(err.column).toBe(25);
  });

  it('the column counts indentation', () => {
    const err = syntaxError('def g():\n    # pythran export f(bad)\n    pass');
    expect([err.line, err.column]).toEqual([2, 24]);
  });

  it('the column counts the capsule keyword', () => {
    const err = syntaxError('# pythran export capsule f(bad*)');
    expect([err.line, err.column]).toEqual([1, 28]);
  });

  it('the column is right after CRLF lines', () => {
    const err = syntaxError('x = 1\r\n# pythran export f(bad)\r\n');
    expect([err.line, err.column]).toEqual([2, 20]);
  });

  it('a missing closing parenthesis points just past the end of the line', () => {
    const err = syntaxError('# pythran export f(int');
    expect(err.message).toBe("expected ')' but found the end of the line");
    expect([err.line, err.column]).toEqual([1, 23]);
  });

  it('an export keyword with nothing after it', () => {
    const err = syntaxError('# pythran export');
    expect(err.message).toBe('unexpected end of export line');
    expect([err.line, err.column]).toEqual([1, 17]);
  });

  it('an unexpected character is reported where it is', () => {
    const err = syntaxError('# pythran export f(int-)');
    expect(err.message).toBe("unexpected character '-'");
    expect([err.line, err.column]).toEqual([1, 23]);
  });

  it('a missing function name points at what is there instead', () => {
    const err = syntaxError('# pythran export (int)');
    expect(err.message).toBe("expected a function name, found '('");
    expect([err.line, err.column]).toEqual([1, 18]);
  });

  it('an unknown order points at the order', () => {
    const err = syntaxError('# pythran export f(float[:,:] order(X))');
    expect(err.message).toBe("unknown order 'X'");
    expect([err.line, err.column]).toEqual([1, 37]);
  });

  it('order(...) on a scalar points at the order keyword', () => {
    const err = syntaxError('# pythran export f(int order(F))');
    expect(err.message).toBe('order(...) applies only to arrays');
    expect([err.line, err.column]).toEqual([1, 24]);
  });

  it('array dimensions on a tuple point at the bracket', () => {
    const err = syntaxError('# pythran export f((int) [:])');
    expect(err.message).toBe('array dimensions apply only to a dtype');
    expect([err.line, err.column]).toEqual([1, 26]);
  });

  it('a dict without the dict keyword', () => {
    const err = syntaxError('# pythran export f(int:float)');
    expect(err.message).toBe("expected 'dict' but found ')'");
    expect([err.line, err.column]).toEqual([1, 29]);
  });

  it('an unterminated array', () => {
    const err = syntaxError('# pythran export f(float[:, :)');
    expect(err.message).toBe("expected ']' but found ')'");
    expect([err.line, err.column]).toEqual([1, 30]);
  });

  it('a parenthesis right after an export', () => {
    const err = syntaxError('# pythran export f(int) (float)');
    expect([err.line, err.column]).toEqual([1, 25]);
  });

  it('a missing comma between parameters', () => {
    const err = syntaxError('# pythran export f(int float)');
    expect(err.message).toBe("expected ')' but found 'float'");
    expect([err.line, err.column]).toEqual([1, 24]);
  });

  it('the first bad line is reported even when later lines are fine', () => {
    const err = syntaxError('# pythran export ok(int)\n# pythran export f(intt)\n# pythran export g(float)');
    expect([err.line, err.column]).toEqual([2, 20]);
  });
});

describe('formatType', () => {
  it.each([
    ['int', 'int'],
    ['float32[:, :]', 'float32[:, :]'],
    ['float32[:,:]', 'float32[:, :]'],
    ['float[][]', 'float[:, :]'],
    ['int8[3, :]', 'int8[3, :]'],
    ['float64[::]', 'float64[::]'],
    ['float[:,:] order(F)', 'float[:, :] order(F)'],
    ['float[:,:] order(C)', 'float[:, :]'],
    ['int list', 'int list'],
    ['float set', 'float set'],
    ['int:float dict', 'int:float dict'],
    ['str:int:float dict dict', 'str:int:float dict dict'],
    ['(int, float[:])', '(int, float[:])'],
    ['(int, float) list', '(int, float) list'],
    ['int or float', 'int or float'],
    ['float or None', 'float or None'],
    ['str', 'str'],
    ['None', 'None'],
    ['slice', 'slice'],
    ['float64*', 'pointer'],
    ['float (int)', 'float(int)'],
    ['float64(float64[:], int)', 'float64(float64[:], int)'],
  ])('%s is written %s', (spec, written) => {
    expect(formatType(typeOf(spec))).toBe(written);
  });

  it.each([
    'complex128',
    'float32[:, :]',
    'int8[3, :]',
    'uint16[::, 4, :]',
    'float[:, :] order(F)',
    'int list list',
    'float set',
    'int:float dict',
    'str:int:float dict dict',
    'str:float[:] list dict',
    '(int, float[:])',
    '(int)',
    '((int, str) list, None, slice)',
    'int or float',
    'float[:] or None',
    'float(float, int)',
    '(float(float), int) list',
  ])('%s round-trips through formatType', (spec) => {
    const type = typeOf(spec);
    expect(typeOf(formatType(type))).toEqual(type);
  });
});

describe('signatureText', () => {
  it.each([
    ['# pythran export f(float64[:,:], int)', 'f(float64[:,:], int)'],
    ['# pythran export f(float64[:, :] order(F), int?)', 'f(float64[:,:] order(F), int?)'],
    ['# pythran export g(float or None, (int, str) list)', 'g(float or None, (int, str) list)'],
    ['# pythran export h()', 'h()'],
    ['# pythran export k(float(float), float64[::])', 'k(float(float), float64[::])'],
    ['# pythran export x', 'x'],
  ])('%s -> %s', (line, text) => {
    expect(signatureText(only(line))).toBe(text);
  });
});
