import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFor, pyExpr, UnsupportedArgument, type WrittenCall } from '../../src/core/calls.js';
import { classifyExports, matchCapsule, overloadsOf, planModule, planOverload, type CallSources } from '../../src/core/overloads.js';
import { parseRunas } from '../../src/core/runas.js';
import { parseExports, type ArgType } from '../../src/core/signature.js';

function sourcesOf(source: string, written: WrittenCall[] = []): { sources: CallSources; functions: ReturnType<typeof classifyExports>['functions'] } {
  const mod = classifyExports(parseExports(source), 'm.py');
  const names = [...new Set(mod.functions.map((f) => f.name))];
  return { sources: { written, runas: parseRunas(source, names), capsules: mod.capsules, fileLabel: 'm.py' }, functions: mod.functions };
}

const OVERLOADED = `#runas import numpy as np; scale(np.arange(10.), 2.)
#runas scale([1, 2, 3], 2)
#pythran export scale(float64[:], float64)
#pythran export scale(int list, int)
#pythran export scale(float32[:,:], float32)
def scale(a, k):
    return [x * k for x in a]
`;

describe('classifyExports', () => {
  it('functions, capsules, ufuncs and variables apart', () => {
    const mod = classifyExports(parseExports('#pythran export capsule k(float64)\n#pythran export f(int)\n#pythran export f(float)\n#pythran export ufunc u(float64)\n#pythran export x'), 'm.py');
    expect(mod.kind).toBe('functions');
    expect(mod.functions.map((f) => f.name)).toEqual(['f', 'f']);
    expect(mod.capsules.map((f) => f.name)).toEqual(['k']);
    expect(mod.ufuncs.map((f) => f.name)).toEqual(['u']);
    expect(mod.variables.map((f) => f.name)).toEqual(['x']);
  });

  it('a module of capsules only is not an error, and says so', () => {
    const mod = classifyExports(parseExports('#pythran export capsule kernel_a(float64, float64)\n#pythran export capsule kernel_b(float64)'), 'rbf.py');
    expect(mod.kind).toBe('capsules-only');
    expect(mod.message).toBe('rbf.py exports only capsules (kernel_a, kernel_b): nothing to measure');
  });

  it('nothing exported (or only variables) is bad input', () => {
    expect(classifyExports([], 'e.py')).toMatchObject({ kind: 'nothing', message: "e.py exports no function: add a '# pythran export name(types)' line." });
    expect(classifyExports(parseExports('#pythran export x'), 'e.py').kind).toBe('nothing');
  });
});

describe('overloadsOf', () => {
  it('numbers the export lines of each name and names each by its signature', () => {
    const { functions } = sourcesOf(OVERLOADED + '#pythran export other(int)\n');
    expect(overloadsOf(functions).map((o) => [o.index, o.count, o.signature])).toEqual([
      [1, 3, 'scale(float64[:], float64)'],
      [2, 3, 'scale(int list, int)'],
      [3, 3, 'scale(float32[:,:], float32)'],
      [1, 1, 'other(int)'],
    ]);
  });
});

describe('planOverload: sources in order', () => {
  it('each overload takes the #runas call that fits it; one that fits none gets generated arguments and says why', () => {
    const { sources, functions } = sourcesOf(OVERLOADED);
    const plans = overloadsOf(functions).map((o) => planOverload(o.sig, sources, o.index));
    expect(plans[0]).toEqual({
      plan: { setup: 'import numpy as np', expr: 'np.arange(10.), 2.' },
      origin: 'm.py:1 (#runas)',
      source: 'runas',
      note: null,
      signature: 'scale(float64[:], float64)',
    });
    expect(plans[1]).toMatchObject({ plan: { expr: '[1, 2, 3], 2' }, origin: 'm.py:2 (#runas)', source: 'runas' });
    expect(plans[1]?.plan).not.toHaveProperty('setup');
    expect(plans[2]?.source).toBe('generated');
    expect(plans[2]?.note).toContain('#runas at line 2 does not fit scale(float32[:,:], float32): its argument 1 is a list');
    expect(plans[2]?.note).toContain('#runas at line 1 does not fit scale(float32[:,:], float32): its argument 2 is a Python float and this overload takes float32');
    expect(plans[2]?.note).toMatch(/generated arguments instead$/);
    expect(plans[2]?.plan).toEqual({ args: [planFor({ kind: 'array', dtype: 'float32', axes: [{ size: null, strided: false }, { size: null, strided: false }], order: 'C' }), { t: 'npscalar', dtype: 'float32', v: 0.5 }] });
  });

  it('--call wins over # leakcheck: call, which wins over #runas', () => {
    const directive: WrittenCall = { function: 'scale', expr: 'np.ones(3), 1.5', origin: 'm.py:9' };
    const cli: WrittenCall = { function: 'scale', expr: 'np.zeros(4), 3.', origin: '--call' };
    const { sources, functions } = sourcesOf(OVERLOADED, [directive, cli]);
    expect(planOverload(functions[0]!, sources, 1)).toMatchObject({ plan: { expr: 'np.zeros(4), 3.' }, origin: '--call', source: 'cli', note: null });
    const noCli = { ...sources, written: [directive] };
    expect(planOverload(functions[0]!, noCli, 1)).toMatchObject({ plan: { expr: 'np.ones(3), 1.5' }, origin: 'm.py:9', source: 'directive' });
  });

  it('a written call that surely does not fit an overload falls through to the next source, with a note', () => {
    const cli: WrittenCall = { function: 'scale', expr: '[1, 2], 3', origin: '--call' };
    const { sources, functions } = sourcesOf(OVERLOADED, [cli]);
    const first = planOverload(functions[0]!, sources, 1);
    expect(first).toMatchObject({ source: 'runas', origin: 'm.py:1 (#runas)' });
    expect(first.note).toBe('the call at --call does not fit scale(float64[:], float64): its argument 1 is a list and this overload takes float64[:]');
    expect(planOverload(functions[1]!, sources, 2)).toMatchObject({ source: 'cli', plan: { expr: '[1, 2], 3' } });
  });

  it('generated arguments follow the overload: optional and None-able parameters get a real value', () => {
    const { sources, functions } = sourcesOf('#pythran export f(float or None, int?, None or str, (int, float[::]) list)');
    const p = planOverload(functions[0]!, sources);
    expect(p.source).toBe('generated');
    expect(p.note).toBeNull();
    expect(p.signature).toBe('f(float or None, int?, None or str, (int, float[::]) list)');
    const args = (p.plan as { args: unknown[] }).args;
    expect(args.slice(0, 3)).toEqual([{ t: 'float', v: 0.5 }, { t: 'int', v: 4 }, { t: 'str', v: 'leakcheck0' }]);
    expect(args[3]).toMatchObject({ t: 'list' });
  });
});

describe('function-typed parameters and capsules', () => {
  const MOD = `#pythran export capsule twice(float64)
#pythran export capsule add(float, int)
#pythran export apply(float(float), float64[:])
#pythran export apply2(float(float64, int), float64[:])
#pythran export lonely(float(int, int), int)
`;
  it('a function-typed parameter takes the module capsule of the same parameter types', () => {
    const { sources, functions } = sourcesOf(MOD);
    expect(planOverload(functions[0]!, sources).plan).toMatchObject({ args: [{ t: 'capsule', name: 'twice' }, { t: 'array', dtype: 'float64' }] });
    expect(planOverload(functions[1]!, sources).plan).toMatchObject({ args: [{ t: 'capsule', name: 'add' }, { t: 'array' }] });
  });

  it('with no matching capsule: refused, with the export line and the # leakcheck: call line to write', () => {
    const { sources, functions } = sourcesOf(MOD);
    expect(() => planOverload(functions[2]!, sources)).toThrow(UnsupportedArgument);
    expect(() => planOverload(functions[2]!, sources)).toThrow(
      "cannot generate the arguments of lonely(float(int, int), int): parameter 1 is a function, float(int, int), and the module exports no capsule with parameters (int, int) to pass for it: export one ('# pythran export capsule name(int, int)'); or write the call yourself, as a comment in the file: '# leakcheck: call lonely(CAPSULE, 4)'",
    );
  });

  it('matchCapsule compares parameter types by what numpy type they are', () => {
    const fn = parseExports('#pythran export f(float(float64[:], int64))')[0]?.params?.[0]?.type as Extract<ArgType, { kind: 'function' }>;
    const caps = parseExports('#pythran export capsule a(float32[:], int)\n#pythran export capsule b(float[:], int)');
    expect(matchCapsule(fn, caps)?.name).toBe('b');
    expect(matchCapsule(fn, [])).toBeNull();
  });
});

describe('the whole spec grammar gets values', () => {
  it.each([
    'bool', 'int', 'float', 'complex', 'int8', 'int16', 'int32', 'int64', 'intp', 'intc', 'uint8', 'uint16', 'uint32', 'uint64', 'uintp', 'uintc',
    'float32', 'float64', 'float128', 'complex64', 'complex128', 'complex256', 'str', 'None', 'slice',
    'float?', 'float or None', '(int, float, str)', 'int list', 'float set', 'str:int dict', 'int:float[:] list dict', '(int, int) set',
    'float[3]', 'float[::]', 'float[:,:] order(F)', 'int8[2, :, ::]', 'complex64[:,:,:,:]', 'float list list list', '(float[:], int) list',
  ])('%s', (spec) => {
    const { sources, functions } = sourcesOf(`#pythran export f(${spec})`);
    expect(planOverload(functions[0]!, sources).source).toBe('generated');
  });

  it('an unhashable set item or dict key is refused with a reason', () => {
    const { sources, functions } = sourcesOf('#pythran export f(int list set)');
    expect(() => planOverload(functions[0]!, sources)).toThrow("a int list cannot be a set item or dict key in Python");
  });
});

describe('pyExpr', () => {
  it('writes generated values as Python', () => {
    expect(pyExpr({ t: 'array', dtype: 'float64', shape: [16], strided: [false], order: 'C', seed: 0 })).toBe('np.ones((16,), np.float64)');
    expect(pyExpr({ t: 'array', dtype: 'int8', shape: [4, 4], strided: [false, true], order: 'C', seed: 0 })).toBe('np.ones((4, 8), np.int8)[:, ::2]');
    expect(pyExpr({ t: 'array', dtype: 'float32', shape: [4, 4], strided: [false, false], order: 'F', seed: 0 })).toBe('np.asfortranarray(np.ones((4, 4), np.float32))');
    expect(pyExpr({ t: 'tuple', items: [{ t: 'int', v: 4 }] })).toBe('(4,)');
    expect(pyExpr({ t: 'dict', entries: [[{ t: 'str', v: 'a' }, { t: 'float', v: 1 }]] })).toBe('{"a": 1.0}');
    expect(pyExpr({ t: 'npscalar', dtype: 'uint8', v: 4 })).toBe('np.uint8(4)');
  });
});

describe('repros/real: the plans the harness gets', () => {
  const load = (name: string) => {
    const source = readFileSync(path.join('repros', 'real', name), 'utf8');
    const mod = classifyExports(parseExports(source), name);
    const names = [...new Set(mod.functions.map((f) => f.name))];
    const sources: CallSources = { written: [], runas: parseRunas(source, names, name.replace(/\.py$/, '')), capsules: mod.capsules, fileLabel: name };
    return { mod, plans: overloadsOf(mod.functions).map((o) => planOverload(o.sig, sources, o.index)) };
  };

  it('capsules_only.py is a capsule-only module', () => {
    expect(load('capsules_only.py').mod).toMatchObject({ kind: 'capsules-only', message: 'capsules_only.py exports only capsules (gaussian, multiquadric): nothing to measure' });
  });

  it("function_param.py passes the module's own capsule", () => {
    expect(load('function_param.py').plans[0]?.plan).toMatchObject({ args: [{ t: 'capsule', name: 'square' }, { t: 'array', dtype: 'float64', shape: [16] }] });
  });

  it('overloads.py: each overload its own #runas call', () => {
    expect(load('overloads.py').plans.map((p) => [p.signature, p.origin, p.plan])).toEqual([
      ['window(float list, int)', 'overloads.py:8 (#runas)', { expr: '[0.5, 1.5, 2.5, 3.5, 4.5, 5.5], 2' }],
      ['window(float64[:,:], int)', 'overloads.py:9 (#runas)', { setup: 'import numpy as np\ngrid = np.linspace(0., 1., 64).reshape(8, 8)', expr: 'grid, 3' }],
    ]);
  });

  it('runas_imports.py: the imports are the setup', () => {
    expect(load('runas_imports.py').plans[0]?.plan).toEqual({ setup: 'import numpy as np\nfrom math import pi\nx = np.linspace(0., pi, 101)', expr: 'np.sin(x), x[1] - x[0]' });
  });
});

describe('planModule: one call for run', () => {
  it('sorts the exports and plans every overload, reading # leakcheck: call lines and taking --call first', () => {
    const source = `# leakcheck: call scale(np.ones(5), 3.)
${OVERLOADED}#pythran export capsule k(float64)
#pythran export lonely(float(int), int)
`;
    const cli: WrittenCall[] = [{ function: 'scale', expr: '[4], 4', origin: '--call' }];
    const { module, overloads, problems } = planModule(parseExports(source), source, { fileLabel: 'm.py', moduleName: 'm', cli });
    expect(problems).toEqual([]);
    expect(module.capsules.map((c) => c.name)).toEqual(['k']);
    expect(overloads.map((o) => [o.overload.signature, o.plan?.source ?? null, o.plan?.origin ?? null, o.error !== null])).toEqual([
      ['scale(float64[:], float64)', 'directive', 'm.py:1', false],
      ['scale(int list, int)', 'cli', '--call', false],
      ['scale(float32[:,:], float32)', 'generated', 'generated', false],
      ['lonely(float(int), int)', null, null, true],
    ]);
    expect(overloads[3]?.error).toContain("'# leakcheck: call lonely(CAPSULE, 4)'");
  });
});
