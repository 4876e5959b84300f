import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseExports } from '../../src/core/signature.js';
import { keepExports } from '../../src/core/trim-exports.js';

describe('keepExports', () => {
  it('keeps only the export lines of the bisected function, line for line', () => {
    const source = readFileSync(new URL('../../bench/fixtures/buffer_kernels.py', import.meta.url), 'utf8');
    const out = keepExports(source, ['smooth']);
    expect(out.split('\n')).toHaveLength(source.split('\n').length);
    expect(parseExports(out).map((e) => e.name)).toEqual(['smooth']);
    // The code of every function is still there.
    expect(out).toContain('def trace2d(a):');
  });
  it('keeps a line that exports a kept function beside others, and capsules', () => {
    const source = ['# pythran export f(int), g(int)', '# pythran export h(int)', '# pythran export capsule k(float64)', 'def f(x): return x'].join('\n');
    const names = parseExports(keepExports(source, ['f'])).map((e) => e.name);
    expect(names).toEqual(['f', 'g', 'k']);
  });
  it('leaves the source alone when blanking a line would change the other exports', () => {
    // h's export continues on the comment line below; blanking its first line would hand that to f.
    const source = ['# pythran export f(int)', '# pythran export h(int,', '#    float)', 'def f(x): return x'].join('\n');
    const out = keepExports(source, ['f']);
    expect(parseExports(out).map((e) => e.name)).toContain('f');
    expect(out === source || parseExports(out).length === 1).toBe(true);
  });
});
