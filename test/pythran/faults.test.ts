/**
 * Functions that crash or never return, built with real Pythran: each is
 * reported as such, and the other functions of the file are still judged.
 */
import { describe, expect, it } from 'vitest';
import { byFunction, cliJson } from '../support/cli.js';

describe('faults inside measured functions', () => {
  it('reports a segfault as crash and a hang as timeout; the neighbour is still ok; exit 3', async () => {
    const { code, report } = await cliJson(['run', 'test/fixtures/bad/faults.py', '--pythran', '0.16.1', '--timeout', '5']);
    const crash = byFunction(report, 'segfault');
    expect(crash.verdict).toBe('crash');
    expect(crash.message).toContain('SIGSEGV');
    expect(crash.message).toContain('Segmentation fault');
    const hang = byFunction(report, 'never_returns');
    expect(hang.verdict).toBe('timeout');
    expect(hang.message).toContain('did not finish within 5 s');
    expect(byFunction(report, 'fine').verdict).toBe('ok');
    expect(code).toBe(3);
  });
});
