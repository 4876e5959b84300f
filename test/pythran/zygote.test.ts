/**
 * Forked from a warm zygote or started as fresh interpreters, the measuring
 * processes must read the same leaks: the same verdicts, kinds and sizes, on
 * one leak of each kind (Python objects on 0.15.0; native heap and argument
 * references on 0.16.0) and on their controls.
 */
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { byFunction, cliJson, type JsonResult } from '../support/cli.js';

const CASES = [
  { pythran: '0.15.0', files: ['repros/seed/view_leak.py'], functions: ['simpler_leak', 'simpler_no_leak'] },
  { pythran: '0.16.0', files: ['repros/history/temp_buffer_0160.py', 'repros/history/dict_return.py'], functions: ['temp_alloc', 'arg_sum', 'dict_test', 'return_arg'] },
];

/** The per-call size the verdict rests on, by kind. */
function size(r: JsonResult): number {
  if (r.kind === 'native-heap') return r.bytesPerCall.native ?? NaN;
  if (r.kind === 'argument-refcount') return Math.max(...r.refsPerCall.map((x) => x ?? 0));
  return r.blocksPerCall ?? NaN;
}

describe.each(CASES)('fork and spawn agree on Pythran $pythran', ({ pythran, files, functions }) => {
  it(`reads the same verdicts and sizes for ${functions.join(', ')}`, async () => {
    const [fork, spawn] = await Promise.all(['fork', 'spawn'].map((m) => cliJson(['run', ...files, '--pythran', pythran, '--start-method', m])));
    expect(fork?.code).toBe(1);
    expect(spawn?.code).toBe(1);
    for (const fn of functions) {
      const a = byFunction(fork!.report, fn);
      const b = byFunction(spawn!.report, fn);
      expect([fn, a.verdict, a.kind]).toEqual([fn, b.verdict, b.kind]);
      expect(['leak', 'ok']).toContain(a.verdict);
      if (a.verdict !== 'leak') continue;
      // Leaks here are whole objects, buffers and references per call: the two agree within 10 %.
      expect(size(a)).toBeGreaterThan(0);
      expect(Math.abs(size(a) - size(b)) / size(b)).toBeLessThan(0.1);
      expect(a.diagnosis?.replicate?.verdict).toBe('leak');
      expect(b.diagnosis?.replicate?.verdict).toBe('leak');
    }
  });
});

describe('forked processes under a long $TMPDIR', () => {
  it('still measure (a Unix socket path must stay under about 100 bytes)', async () => {
    const tmp = path.join(os.tmpdir(), 'x'.repeat(110));
    mkdirSync(tmp, { recursive: true });
    const { code, report } = await cliJson(['run', 'repros/seed/view_leak.py', '--pythran', '0.15.0'], { env: { TMPDIR: tmp }, timeoutMs: 120_000 });
    expect(code).toBe(1);
    expect(byFunction(report, 'simpler_leak').verdict).toBe('leak');
    expect(byFunction(report, 'simpler_no_leak').verdict).toBe('ok');
  });
});
