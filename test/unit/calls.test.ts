import { describe, it, expect } from 'vitest';
import {
  DEFAULT_FLOAT,
  DEFAULT_INT,
  defaultAxisLength,
  parseCallDirectives,
  parseCallText,
  planCall,
  planFor,
  UnsupportedArgument,
  type WrittenCall,
} from '../../src/core/calls.js';
import type { ArgPlan, CallPlan } from '../../src/core/protocol.js';
import { parseExports, type ArgType, type ExportSignature } from '../../src/core/signature.js';

/** The type of the single parameter of `f(<spec>)`, through the real parser. */
function typeOf(spec: string): ArgType {
  const type = parseExports(`# pythran export f(${spec})`)[0]?.params?.[0]?.type;
  if (type === undefined) throw new Error(`no parameter in ${spec}`);
  return type;
}

function sig(line: string): ExportSignature {
  const s = parseExports(line)[0];
  if (s === undefined) throw new Error(`no export in ${line}`);
  return s;
}

function argsOf(plan: CallPlan): ArgPlan[] {
  if (!('args' in plan)) throw new Error(`expected generated arguments, got ${JSON.stringify(plan)}`);
  return plan.args as ArgPlan[];
}

function arrayOf(plan: ArgPlan | undefined): Extract<ArgPlan, { t: 'array' }> {
  if (plan?.t !== 'array') throw new Error(`expected an array plan, got ${JSON.stringify(plan)}`);
  return plan;
}

function intOf(plan: ArgPlan | undefined): number {
  if (plan?.t !== 'int') throw new Error(`expected an int plan, got ${JSON.stringify(plan)}`);
  return plan.v;
}

describe('defaults', () => {
  it('ints default to 4 and floats to 0.5', () => {
    expect(DEFAULT_INT).toBe(4);
    expect(DEFAULT_FLOAT).toBe(0.5);
  });

  it('axis length is 16 up to rank 2, 8 at rank 3, 4 beyond', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map(defaultAxisLength)).toEqual([16, 16, 16, 8, 4, 4, 4]);
  });
});

describe('planFor: scalars', () => {
  it('Python scalars', () => {
    expect(planFor(typeOf('int'))).toEqual({ t: 'int', v: 4 });
    expect(planFor(typeOf('long'))).toEqual({ t: 'int', v: 4 });
    expect(planFor(typeOf('float'))).toEqual({ t: 'float', v: 0.5 });
    expect(planFor(typeOf('complex'))).toEqual({ t: 'complex', re: 0.5, im: 0.25 });
    expect(planFor(typeOf('bool'))).toEqual({ t: 'bool', v: true });
  });

  it('the index shifts values', () => {
    expect(planFor(typeOf('int'), 3)).toEqual({ t: 'int', v: 7 });
    expect(planFor(typeOf('float'), 2)).toEqual({ t: 'float', v: 2.5 });
    expect(planFor(typeOf('complex'), 1)).toEqual({ t: 'complex', re: 1.5, im: 0.25 });
    expect(planFor(typeOf('bool'), 1)).toEqual({ t: 'bool', v: false });
    expect(planFor(typeOf('str'), 2)).toEqual({ t: 'str', v: 'leakcheck2' });
  });

  it.each([
    ['float32', 'float32', 0.5],
    ['float64', 'float64', 0.5],
    ['float128', 'float128', 0.5],
    ['uint8', 'uint8', 4],
    ['int16', 'int16', 4],
    ['int64', 'int64', 4],
    ['intp', 'intp', 4],
    ['uintc', 'uintc', 4],
    ['uint', 'uint64', 4],
    ['byte', 'int8', 4],
    ['complex64', 'complex64', 0.5],
    ['complex128', 'complex128', 0.5],
  ] as const)('%s is a numpy %s scalar of value %d', (spec, dtype, v) => {
    expect(planFor(typeOf(spec))).toEqual({ t: 'npscalar', dtype, v });
  });

  it('numpy scalars shift with the index too', () => {
    expect(planFor(typeOf('uint8'), 2)).toEqual({ t: 'npscalar', dtype: 'uint8', v: 6 });
    expect(planFor(typeOf('float32'), 1)).toEqual({ t: 'npscalar', dtype: 'float32', v: 1.5 });
  });

  it('str, None and slice', () => {
    expect(planFor(typeOf('str'))).toEqual({ t: 'str', v: 'leakcheck0' });
    expect(planFor(typeOf('None'))).toEqual({ t: 'none' });
    expect(planFor(typeOf('slice'))).toEqual({ t: 'slice', start: 1, stop: 5, step: 1 });
  });
});

describe('planFor: arrays', () => {
  it('float32[:, :] is 16x16, C order, not strided, seed 0', () => {
    expect(planFor(typeOf('float32[:, :]'))).toEqual({
      t: 'array',
      dtype: 'float32',
      shape: [16, 16],
      strided: [false, false],
      order: 'C',
      seed: 0,
    });
  });

  it('1-D arrays are 16 long and Python dtypes are spelled as numpy spells them', () => {
    expect(arrayOf(planFor(typeOf('float[:]')))).toMatchObject({ dtype: 'float64', shape: [16] });
    expect(arrayOf(planFor(typeOf('int[]')))).toMatchObject({ dtype: 'int64', shape: [16] });
    expect(arrayOf(planFor(typeOf('complex[:]')))).toMatchObject({ dtype: 'complex128', shape: [16] });
    expect(arrayOf(planFor(typeOf('uint8[:]')))).toMatchObject({ dtype: 'uint8', shape: [16] });
  });

  it('rank 3 arrays are 8 per axis, rank 4 and 5 are 4 per axis', () => {
    expect(arrayOf(planFor(typeOf('float[:, :, :]'))).shape).toEqual([8, 8, 8]);
    expect(arrayOf(planFor(typeOf('float[:, :, :, :]'))).shape).toEqual([4, 4, 4, 4]);
    expect(arrayOf(planFor(typeOf('float[:, :, :, :, :]'))).shape).toEqual([4, 4, 4, 4, 4]);
  });

  it('fixed sizes are respected; the others follow the rank default', () => {
    expect(arrayOf(planFor(typeOf('int8[3, :]'))).shape).toEqual([3, 16]);
    expect(arrayOf(planFor(typeOf('int8[2, :, 5]'))).shape).toEqual([2, 8, 5]);
  });

  it('strided axes are flagged one by one', () => {
    expect(arrayOf(planFor(typeOf('float64[::]'))).strided).toEqual([true]);
    expect(arrayOf(planFor(typeOf('float64[:, ::]'))).strided).toEqual([false, true]);
    expect(arrayOf(planFor(typeOf('float64[::, :]'))).strided).toEqual([true, false]);
  });

  it('order(F) is passed on', () => {
    expect(arrayOf(planFor(typeOf('float[:, :] order(F)'))).order).toBe('F');
  });

  it('the index becomes the seed', () => {
    expect(arrayOf(planFor(typeOf('float[:]'), 5)).seed).toBe(5);
  });
});

describe('planFor: containers', () => {
  it('a list has four items with increasing values', () => {
    expect(planFor(typeOf('int list'))).toEqual({
      t: 'list',
      items: [
        { t: 'int', v: 4 },
        { t: 'int', v: 5 },
        { t: 'int', v: 6 },
        { t: 'int', v: 7 },
      ],
    });
  });

  it('a set has four distinct items', () => {
    const plan = planFor(typeOf('float set'));
    expect(plan).toEqual({
      t: 'set',
      items: [
        { t: 'float', v: 0.5 },
        { t: 'float', v: 1.5 },
        { t: 'float', v: 2.5 },
        { t: 'float', v: 3.5 },
      ],
    });
  });

  it('a dict has four entries with distinct keys', () => {
    expect(planFor(typeOf('int:float dict'))).toEqual({
      t: 'dict',
      entries: [
        [{ t: 'int', v: 4 }, { t: 'float', v: 0.5 }],
        [{ t: 'int', v: 5 }, { t: 'float', v: 1.5 }],
        [{ t: 'int', v: 6 }, { t: 'float', v: 2.5 }],
        [{ t: 'int', v: 7 }, { t: 'float', v: 3.5 }],
      ],
    });
  });

  it.each(['str:int dict', 'uint8:float dict', '(int, str):int dict', 'float32:int dict'])('%s has distinct keys', (spec) => {
    const plan = planFor(typeOf(spec));
    if (plan.t !== 'dict') throw new Error('expected a dict plan');
    const keys = plan.entries.map(([k]) => JSON.stringify(k));
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
  });

  it.each(['int set', 'str set', '(int, int) set', 'complex set', 'int8 set'])('%s has distinct items', (spec) => {
    const plan = planFor(typeOf(spec));
    if (plan.t !== 'set') throw new Error('expected a set plan');
    const items = plan.items.map((item) => JSON.stringify(item));
    expect(items).toHaveLength(4);
    expect(new Set(items).size).toBe(4);
  });

  it('a tuple plans each item, offset by its position', () => {
    expect(planFor(typeOf('(int, float[:], str)'))).toEqual({
      t: 'tuple',
      items: [
        { t: 'int', v: 4 },
        { t: 'array', dtype: 'float64', shape: [16], strided: [false], order: 'C', seed: 1 },
        { t: 'str', v: 'leakcheck2' },
      ],
    });
  });

  it('a list of tuples shifts every item, so the tuples differ', () => {
    const plan = planFor(typeOf('(int, int) list'));
    expect(plan).toEqual({
      t: 'list',
      items: [0, 1, 2, 3].map((k) => ({
        t: 'tuple',
        items: [
          { t: 'int', v: 4 + k },
          { t: 'int', v: 5 + k },
        ],
      })),
    });
  });

  it('an alternative plans its first type', () => {
    expect(planFor(typeOf('int or float'))).toEqual({ t: 'int', v: 4 });
  });
});

describe('planFor: unsupported types', () => {
  it('a pointer throws UnsupportedArgument naming the type', () => {
    expect(() => planFor(typeOf('float64*'))).toThrow(UnsupportedArgument);
    expect(() => planFor(typeOf('float64*'))).toThrow("cannot generate a value of type 'pointer'");
  });

  it('a function type throws', () => {
    expect(() => planFor(typeOf('float (int)'))).toThrow("cannot generate a value of type 'float(int)' (a function: only a capsule the module exports can be passed)");
  });

  it('an unsupported type inside a container throws too', () => {
    expect(() => planFor(typeOf('(int, float64*)'))).toThrow(UnsupportedArgument);
    expect(() => planFor({ kind: 'list', item: { kind: 'unsupported', text: 'pointer' } })).toThrow(UnsupportedArgument);
  });

  it('UnsupportedArgument is an Error', () => {
    try {
      planFor({ kind: 'unsupported', text: 'pointer' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UnsupportedArgument);
      expect(error).toBeInstanceOf(Error);
    }
  });
});

describe('planCall', () => {
  const leak = sig('# pythran export simpler_leak(float32[:, :], int, int)');
  const fromFile: WrittenCall = { function: 'simpler_leak', expr: 'np.ones((4, 4), np.float32), 1, 1', origin: 'view_leak.py:5' };
  const fromCli: WrittenCall = { function: 'simpler_leak', expr: 'np.zeros((8, 8), np.float32), 2, 2', origin: '--call' };

  it('generates arguments when nothing is written', () => {
    expect(planCall(leak, [])).toEqual({
      plan: {
        args: [
          { t: 'array', dtype: 'float32', shape: [16, 16], strided: [false, false], order: 'C', seed: 0 },
          { t: 'int', v: 4 },
          { t: 'int', v: 4 },
        ],
      },
      origin: 'generated',
    });
  });

  it('a file directive beats generated values', () => {
    expect(planCall(leak, [fromFile])).toEqual({ plan: { expr: fromFile.expr }, origin: 'view_leak.py:5' });
  });

  it('--call beats a file directive, whichever comes first', () => {
    const expected = { plan: { expr: fromCli.expr }, origin: '--call' };
    expect(planCall(leak, [fromFile, fromCli])).toEqual(expected);
    expect(planCall(leak, [fromCli, fromFile])).toEqual(expected);
  });

  it('the first of several file directives wins', () => {
    const second: WrittenCall = { ...fromFile, expr: 'other', origin: 'view_leak.py:6' };
    expect(planCall(leak, [fromFile, second]).origin).toBe('view_leak.py:5');
  });

  it('calls written for another function are ignored', () => {
    const other: WrittenCall = { function: 'simpler_no_leak', expr: '1, 2, 3', origin: '--call' };
    expect(planCall(leak, [other]).origin).toBe('generated');
  });

  it('array seeds differ per argument; every scalar gets the same default', () => {
    const args = argsOf(planCall(sig('# pythran export f(float[:], int, float[:], float[:, :], int)'), []).plan);
    expect(args.map((a) => (a.t === 'array' ? `array seed ${a.seed}` : JSON.stringify(a)))).toEqual([
      'array seed 0',
      '{"t":"int","v":4}',
      'array seed 2',
      'array seed 3',
      '{"t":"int","v":4}',
    ]);
  });

  it('optional parameters are passed too', () => {
    expect(argsOf(planCall(sig('# pythran export f(int, float?)'), []).plan)).toEqual([
      { t: 'int', v: 4 },
      { t: 'float', v: 0.5 },
    ]);
  });

  it('f() and a variable export get no arguments', () => {
    expect(planCall(sig('# pythran export f()'), [])).toEqual({ plan: { args: [] }, origin: 'generated' });
    expect(planCall(sig('# pythran export x'), [])).toEqual({ plan: { args: [] }, origin: 'generated' });
  });

  it('an unsupported argument throws unless the call is written', () => {
    const cb = sig('# pythran export cb(float64*)');
    expect(() => planCall(cb, [])).toThrow(UnsupportedArgument);
    expect(planCall(cb, [{ function: 'cb', expr: 'ptr', origin: 'cb.py:2' }])).toEqual({ plan: { expr: 'ptr' }, origin: 'cb.py:2' });
  });

  it("the seed's generated ints keep correl[iy - 1 : iy + 2, ix - 1 : ix + 2] inside the array", () => {
    const args = argsOf(planCall(leak, []).plan);
    const [rows, cols] = arrayOf(args[0]).shape;
    const ix = intOf(args[1]);
    const iy = intOf(args[2]);
    expect([rows, cols]).toEqual([16, 16]);
    // Python slice semantics: a negative start counts from the end, bounds clamp silently.
    const sliceLength = (start: number, stop: number, n: number): number => {
      const norm = (k: number): number => Math.min(Math.max(k < 0 ? k + n : k, 0), n);
      return Math.max(norm(stop) - norm(start), 0);
    };
    expect(iy - 1).toBeGreaterThanOrEqual(0);
    expect(ix - 1).toBeGreaterThanOrEqual(0);
    expect(iy + 2).toBeLessThanOrEqual(rows as number);
    expect(ix + 2).toBeLessThanOrEqual(cols as number);
    // A full 3x3 crop, so the function returns a real (non-empty) view.
    expect([sliceLength(iy - 1, iy + 2, rows as number), sliceLength(ix - 1, ix + 2, cols as number)]).toEqual([3, 3]);
  });
});

describe('parseCallText', () => {
  it.each([
    ['f(1, 2)', 'f', '1, 2'],
    ['  f ( 1 )  ', 'f', '1'],
    ['f()', 'f', ''],
    ['simpler_leak(np.ones((16, 16), np.float32), 4, 4)', 'simpler_leak', 'np.ones((16, 16), np.float32), 4, 4'],
    ['_g2([1, (2, 3)], {"a": [4]})', '_g2', '[1, (2, 3)], {"a": [4]}'],
    ['f(")", 1)', 'f', '")", 1'],
    ["f('(', 1)", 'f', "'(', 1"],
    ["f('it\\'s )', 2)", 'f', "'it\\'s )', 2"],
    ['f(1,\n  2)', 'f', '1,\n  2'],
  ])('%s calls %s with %s', (text, fn, expr) => {
    expect(parseCallText(text)).toEqual({ function: fn, expr });
  });

  it.each([
    'f',
    'f(',
    'f)',
    '(1)',
    '1f(2)',
    'np.ones(3)',
    'f(1) g(2)',
    'f(a) + g(b)',
    'f(1))',
    'f((1)',
    'f(1]',
    'f("unterminated)',
    '',
  ])('%s is not a call', (text) => {
    expect(parseCallText(text)).toBeNull();
  });
});

describe('parseCallDirectives', () => {
  it('reads directives with their file:line origin', () => {
    const source = [
      'import numpy as np',
      '# pythran export f(float[:], int)',
      '# leakcheck: call f(np.ones(3), 2)',
      '#leakcheck:call g()',
      '    # leakcheck: call   h( [1, 2] )  ',
      'def f(a, n): return a',
    ].join('\n');
    expect(parseCallDirectives(source, 'repro.py')).toEqual({
      calls: [
        { function: 'f', expr: 'np.ones(3), 2', origin: 'repro.py:3' },
        { function: 'g', expr: '', origin: 'repro.py:4' },
        { function: 'h', expr: '[1, 2]', origin: 'repro.py:5' },
      ],
      problems: [],
    });
  });

  it('keeps several directives for the same function in order', () => {
    const source = '# leakcheck: call f(1)\n# leakcheck: call f(2)';
    expect(parseCallDirectives(source, 'r.py').calls.map((c) => [c.expr, c.origin])).toEqual([
      ['1', 'r.py:1'],
      ['2', 'r.py:2'],
    ]);
  });

  it('counts lines the same with CRLF and leaves no carriage return in the expression', () => {
    const source = 'x = 1\r\n# leakcheck: call f(1, 2)\r\n';
    expect(parseCallDirectives(source, 'r.py').calls).toEqual([{ function: 'f', expr: '1, 2', origin: 'r.py:2' }]);
  });

  it('reports a malformed directive with its line and keeps the good ones', () => {
    const source = ['# leakcheck: call f(1)', 'x = 1', '# leakcheck: call not a call', '# leakcheck: call g(2)'].join('\n');
    expect(parseCallDirectives(source, 'r.py')).toEqual({
      calls: [
        { function: 'f', expr: '1', origin: 'r.py:1' },
        { function: 'g', expr: '2', origin: 'r.py:4' },
      ],
      problems: [{ line: 3, message: "expected '# leakcheck: call name(arguments)', found '# leakcheck: call not a call'" }],
    });
  });

  it.each([
    '# leakcheck: call',
    '# leakcheck: call ',
    '# leakcheck: call f(1)  # with a comment',
    '# leakcheck: call f(a) + g(b)',
    '# leakcheck: call(f(1))',
  ])('%j is reported as a problem', (line) => {
    const { calls, problems } = parseCallDirectives(`x = 1\n${line}`, 'r.py');
    expect(calls).toEqual([]);
    expect(problems.map((p) => p.line)).toEqual([2]);
  });

  it('a # pythran comment is never taken as a directive', () => {
    const source = [
      '# pythran export f(int)',
      '# pythran leakcheck: call f(1)',
      '# pythran export g(int)  # leakcheck: call g(1)',
      '#pythran call f(2)',
    ].join('\n');
    expect(parseCallDirectives(source, 'r.py')).toEqual({ calls: [], problems: [] });
  });

  it('ignores directives that do not start the line and unrelated comments', () => {
    const source = ['y = f(1)  # leakcheck: call f(1)', '# leakcheck is great', 's = "# leakcheck: call f(1)"'].join('\n');
    expect(parseCallDirectives(source, 'r.py')).toEqual({ calls: [], problems: [] });
  });
});

describe('parseCallDirectives: unknown directives', () => {
  it('reports a mistyped leakcheck directive instead of ignoring it', () => {
    const { calls, problems } = parseCallDirectives('# leakcheck: calll f(1)\n# leakcheck: skip g\n', 'r.py');
    expect(calls).toEqual([]);
    expect(problems.map((p) => p.line)).toEqual([1, 2]);
    expect(problems[0]?.message).toContain('unknown directive');
  });
});
