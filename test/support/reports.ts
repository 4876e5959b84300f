/**
 * Hand-built reports for the reporters' unit tests: a leaking function, a
 * clean one and a crashed one, with readings shaped like the seed's on
 * Pythran 0.15.0.
 */
import type { Report, Result } from '../../src/core/report.js';

const line = (n: number, start: number, slope: number, step: number) => Array.from({ length: n }, (_, i) => start + slope * step * (i + 1));
const calls = (n: number, step: number) => Array.from({ length: n }, (_, i) => step * (i + 1));

export function leakResult(overrides: Partial<Result> = {}): Result {
  return {
    file: 'repros/seed/view_leak.py',
    function: 'simpler_leak',
    verdict: 'leak',
    kind: 'python-objects',
    bytesPerCall: { rss: 192.9, native: 0.02, python: 168.0 },
    blocksPerCall: 3.0,
    refsPerCall: [0, null, null],
    calls: 105_469,
    seconds: 0.63,
    message: 'blocks +3.0 blocks/call [3.0, 3.0]; python +168 bytes/call [168, 168]',
    errorType: null,
    rulesOutAbove: null,
    call: { origin: 'generated', args: ['ndarray float32[16, 16]', '4', '4'] },
    signals: {
      python: { unit: 'bytes', perCall: 168.0, low: 167.98, high: 168.05, threshold: 16, state: 'leak', decisive: true, batches: 6 },
      blocks: { unit: 'blocks', perCall: 3.0, low: 2.9998, high: 3.0004, threshold: 0.5, state: 'leak', decisive: true, batches: 6 },
      native: { unit: 'bytes', perCall: 0, low: 0, high: 0, threshold: 16, state: 'flat', decisive: true, batches: 6 },
      rss: { unit: 'bytes', perCall: 192.8, low: 192.6, high: 193.1, threshold: 16, state: 'leak', decisive: false, batches: 6 },
      'refcount:0': { unit: 'refs', perCall: 0, low: 0, high: 0, threshold: 0.5, state: 'flat', decisive: true, batches: 6 },
    },
    build: { cached: true, seconds: 0 },
    owner: null,
    timings: null,
    overload: null,
    diagnosis: null,
    series: {
      plain: {
        calls: calls(7, 8507),
        rss: line(7, 50_184_192, 192.8, 8507),
        native: Array.from({ length: 7 }, () => 7_590_688),
        blocks: line(7, 269_301, 3, 8507),
      },
      traced: { calls: calls(7, 2842), python: line(7, 2_863_880, 168, 2842) },
    },
    ...overrides,
  };
}

export function okResult(overrides: Partial<Result> = {}): Result {
  return {
    file: 'repros/seed/view_leak.py',
    function: 'simpler_no_leak',
    verdict: 'ok',
    kind: null,
    bytesPerCall: { rss: 0.03, native: 0, python: 0.009 },
    blocksPerCall: 0.00005,
    refsPerCall: [0, null, null],
    calls: 202_672,
    seconds: 0.58,
    message: 'no leak above 0.02 B/call',
    errorType: null,
    rulesOutAbove: 0.024,
    call: { origin: 'generated', args: ['ndarray float32[16, 16]', '4', '4'] },
    signals: {
      python: { unit: 'bytes', perCall: 0.009, low: -0.0056, high: 0.024, threshold: 16, state: 'flat', decisive: true, batches: 6 },
      blocks: { unit: 'blocks', perCall: 0.00005, low: -0.0001, high: 0.0002, threshold: 0.5, state: 'flat', decisive: true, batches: 6 },
      native: { unit: 'bytes', perCall: 0, low: 0, high: 0, threshold: 16, state: 'flat', decisive: true, batches: 6 },
      rss: { unit: 'bytes', perCall: 0.03, low: -0.01, high: 0.07, threshold: 16, state: 'flat', decisive: false, batches: 6 },
    },
    build: { cached: true, seconds: 0 },
    owner: null,
    timings: null,
    overload: null,
    diagnosis: null,
    series: {
      plain: {
        calls: calls(7, 20_000),
        rss: [39_534_592, 39_538_688, 39_538_688, 39_538_688, 39_538_688, 39_538_688, 39_538_688],
        native: Array.from({ length: 7 }, () => 7_587_568),
        blocks: [100_982, 100_990, 100_990, 100_990, 100_990, 100_990, 100_990],
      },
      traced: { calls: calls(7, 5582), python: [96, 304, 360, 384, 408, 408, 408] },
    },
    ...overrides,
  };
}

export function crashResult(overrides: Partial<Result> = {}): Result {
  return {
    file: 'test/fixtures/bad/faults.py',
    function: 'segfault',
    verdict: 'crash',
    kind: null,
    bytesPerCall: { rss: null, native: null, python: null },
    blocksPerCall: null,
    refsPerCall: [],
    calls: 0,
    seconds: 0,
    message: 'crashed with SIGSEGV:\nFatal Python error: Segmentation fault',
    errorType: null,
    rulesOutAbove: null,
    call: null,
    signals: {},
    build: null,
    owner: null,
    timings: null,
    overload: null,
    diagnosis: null,
    series: null,
    ...overrides,
  };
}

export function report(results: Result[]): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'pythran-leakcheck', version: '0.1.0' },
    environment: {
      python: '/root/.cache/pythran-leakcheck/envs/pythran-0.15.0-cp311/bin/python (3.11.7)',
      pythonVersion: '3.11.7',
      pythran: { version: '0.15.0', commit: null },
      numpy: '1.26.4',
      compiler: 'gcc (Debian 12.2.0-14+deb12u1) 12.2.0',
      managed: true,
    },
    thresholds: { bytes: 16, blocks: 0.5, refs: 0.5, rssBytes: 16 },
    results,
  };
}
