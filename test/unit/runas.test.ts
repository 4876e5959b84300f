import { describe, expect, it } from 'vitest';
import { accepts, classifyArg, parseRunas, runasMismatch, splitTopLevel } from '../../src/core/runas.js';
import { parseExports, type Param } from '../../src/core/signature.js';

function params(line: string): Param[] {
  return parseExports(line)[0]?.params ?? [];
}

describe('splitTopLevel', () => {
  it('splits outside brackets and strings only', () => {
    expect(splitTopLevel('a; f(1;2); "x;y"; [3;4]', ';')).toEqual(['a', ' f(1;2)', ' "x;y"', ' [3;4]']);
    expect(splitTopLevel("np.ones((2, 3)), 'a,b', {1: 2, 3: 4}", ',')).toEqual(['np.ones((2, 3))', " 'a,b'", ' {1: 2, 3: 4}']);
  });
});

describe('parseRunas', () => {
  it('an import and a call: the statements before the call are its setup', () => {
    const calls = parseRunas('#runas import numpy as np; f(np.arange(10.))\n#pythran export f(float[])\ndef f(a): return a', ['f']);
    expect(calls).toEqual([
      { function: 'f', setup: 'import numpy as np', expr: 'np.arange(10.)', args: ['np.arange(10.)'], keywords: false, line: 1, bindings: {} },
    ]);
  });

  it('several statements, bindings remembered, spaces around ;', () => {
    const [c] = parseRunas('#runas A=[list(range(10)) for i in range(5)] ; B = 3 ; timeloop(1.,2., A,B )', ['timeloop']);
    expect(c?.setup).toBe('A=[list(range(10)) for i in range(5)]\nB = 3');
    expect(c?.args).toEqual(['1.', '2.', 'A', 'B']);
    expect(c?.bindings).toEqual({ A: '[list(range(10)) for i in range(5)]', B: '3' });
  });

  it('two calls in one statement, and several #runas lines, in order', () => {
    const src = '#runas import numpy as np ; a = np.arange(2, dtype=complex); clip(a, .5), clip(a[2::4], .5)\n# runas clip(b, 1.)\n#bench clip(c, 2.)';
    const calls = parseRunas(src, ['clip']);
    expect(calls.map((c) => [c.expr, c.line, c.setup])).toEqual([
      ['a, .5', 1, 'import numpy as np\na = np.arange(2, dtype=complex)'],
      ['a[2::4], .5', 1, 'import numpy as np\na = np.arange(2, dtype=complex)'],
      ['b, 1.', 2, ''],
    ]);
  });

  it('only calls of exported names: not methods, not longer names, not inside strings', () => {
    const src = "#runas x.f(1); ff(2); print('f(3)'); g(f(4))";
    expect(parseRunas(src, ['f']).map((c) => c.expr)).toEqual(['4']);
    expect(parseRunas(src, ['g']).map((c) => c.expr)).toEqual(['f(4)']);
  });

  it('#runas: with a colon; a from-import of the module itself is dropped', () => {
    const src = '#runas: import numpy as np; from lap import laplacian; var = np.arange(100, dtype=float) ; laplacian(var, .01)';
    expect(parseRunas(src, ['laplacian'], 'lap')[0]?.setup).toBe('import numpy as np\nvar = np.arange(100, dtype=float)');
    expect(parseRunas(src, ['laplacian'])[0]?.setup).toContain('from lap import laplacian');
  });

  it('keyword arguments and unpacking are flagged', () => {
    expect(parseRunas('#runas f(1, axis=2)', ['f'])[0]?.keywords).toBe(true);
    expect(parseRunas('#runas f(**kw)', ['f'])[0]?.keywords).toBe(true);
    expect(parseRunas('#runas f(*args)', ['f'])[0]?.keywords).toBe(false);
    expect(parseRunas('#runas f(a == b)', ['f'])[0]?.keywords).toBe(false);
    expect(parseRunas('#runas f()', ['f'])[0]?.args).toEqual([]);
  });
});

describe('classifyArg', () => {
  it.each([
    ['3', 'int'],
    ['-3', 'int'],
    ['0x1F', 'int'],
    ['1.', 'float'],
    ['.5', 'float'],
    ['-1e-3', 'float'],
    ['2j', 'complex'],
    ['complex(1,2)', 'complex'],
    ['"e"', 'str'],
    ["'a' * 3", 'unknown'],
    ['True', 'bool'],
    ['None', 'none'],
    ['[1, 2]', 'list'],
    ['[x for x in range(3)]', 'list'],
    ['list(range(10))', 'list'],
    ['[1] * 3', 'unknown'],
    ['{1: 2}', 'dict'],
    ['{1, 2}', 'set'],
    ['{}', 'dict'],
    ['(1, 2)', { tuple: 2 }],
    ['(1,)', { tuple: 1 }],
    ['(3)', 'int'],
    ['np.arange(10.)', 'unknown'],
    ['a + 1', 'unknown'],
  ])('%s is %j', (text, cls) => {
    expect(classifyArg(text)).toEqual(cls);
  });

  it('a name bound in the setup is what it was bound to', () => {
    expect(classifyArg('A', { A: '[1, 2]' })).toBe('list');
    expect(classifyArg('a', { a: 'np.ones(3)' })).toBe('unknown');
    expect(classifyArg('loop', { loop: 'loop' })).toBe('unknown');
  });
});

describe('accepts: as strictly as Pythran converts', () => {
  const t = (spec: string) => params(`# pythran export f(${spec})`)[0]?.type ?? { kind: 'none' as const };
  it('Python scalars only for the matching Python-sized dtypes', () => {
    expect(accepts('int', t('int'))).toBe(true);
    expect(accepts('int', t('int64'))).toBe(true);
    expect(accepts('int', t('float'))).toBe(false);
    expect(accepts('int', t('int32'))).toBe(false);
    expect(accepts('float', t('float64'))).toBe(true);
    expect(accepts('float', t('float32'))).toBe(false);
    expect(accepts('bool', t('int'))).toBe(false);
    expect(accepts('complex', t('complex'))).toBe(true);
  });
  it('containers by kind, tuples by length, unions by any alternative, arrays never from a literal', () => {
    expect(accepts('list', t('int list'))).toBe(true);
    expect(accepts('list', t('float[:]'))).toBe(false);
    expect(accepts({ tuple: 2 }, t('(int, int)'))).toBe(true);
    expect(accepts({ tuple: 3 }, t('(int, int)'))).toBe(false);
    expect(accepts('none', t('float or None'))).toBe(true);
    expect(accepts('unknown', t('float[:]'))).toBe(true);
  });
});

describe('runasMismatch', () => {
  it('null when the call fits, a reason when it surely does not', () => {
    const p = params('# pythran export f(float64[:], float64)');
    expect(runasMismatch({ args: ['a', '.5'], keywords: false, bindings: {} }, p)).toBeNull();
    expect(runasMismatch({ args: ['a'], keywords: false, bindings: {} }, p)).toBe('it passes 1 argument and this overload takes 2');
    expect(runasMismatch({ args: ['[1, 2]', '.5'], keywords: false, bindings: {} }, p)).toBe('its argument 1 is a list and this overload takes float64[:]');
    expect(runasMismatch({ args: ['A', '.5'], keywords: false, bindings: { A: '[1]' } }, p)).toContain('argument 1 is a list');
    expect(runasMismatch({ args: ['a', '.5'], keywords: true, bindings: {} }, p)).toContain('keyword arguments');
    // `f(*params)` is passed as `(*params,)`: its length cannot be told, so it is tried.
    expect(runasMismatch({ args: ['*params'], keywords: false, bindings: {} }, p)).toBeNull();
  });

  it('optional parameters may be left out', () => {
    const p = params('# pythran export f(int, float?)');
    expect(runasMismatch({ args: ['1'], keywords: false, bindings: {} }, p)).toBeNull();
    expect(runasMismatch({ args: ['1', '2.', '3'], keywords: false, bindings: {} }, p)).toBe('it passes 3 arguments and this overload takes 1 to 2');
  });
});
