/**
 * A leak on the native heap that no Python-level counter sees: a C extension
 * (compiled here with the machine's compiler) whose function mallocs and never
 * frees. Measured by the real harness in a real subprocess.
 */
import { execa } from 'execa';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { investigateFunction, measureFunction } from '../../src/pipeline/measure.js';
import { realPorts } from '../../src/io/ports.js';
import { resultFromInvestigation } from '../../src/core/results.js';
import { openCache } from '../../src/io/cache.js';
import { ensureManagedEnv, type PythonEnv } from '../../src/io/python-env.js';
import { silentProgress } from '../../src/progress.js';
import { ROOT, TEST_CACHE } from '../support/cli.js';

let env: PythonEnv;
let module: { modulePath: string; moduleName: string };
const signal = new AbortController().signal;
const ports = realPorts('fork', signal);
afterAll(() => ports.close());
const opts = { budget: 10, timeout: 120, threshold: 16 };

beforeAll(async () => {
  const cache = await openCache(TEST_CACHE);
  env = await ensureManagedEnv('0.16.1', { cache, signal, progress: silentProgress });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'native-leak-'));
  const { stdout } = await execa(env.python, ['-c', 'import sysconfig, json; print(json.dumps([sysconfig.get_paths()["include"], sysconfig.get_config_var("EXT_SUFFIX")]))']);
  const [include, suffix] = JSON.parse(stdout) as [string, string];
  const out = path.join(dir, `planted${suffix}`);
  await execa('gcc', ['-O2', '-shared', '-fPIC', `-I${include}`, path.join(ROOT, 'test/fixtures/native/planted.c'), '-o', out]);
  module = { modulePath: out, moduleName: 'planted' };
});

describe('native heap leak', () => {
  it('is a leak of kind native-heap at about 64 B per call, with tracemalloc reading about zero', async () => {
    const m = await measureFunction(env, module, 'native', { expr: '64' }, opts, { signal, ports });
    expect(m.status).toBe('judged');
    if (m.status !== 'judged') return;
    expect(m.judgement.verdict).toBe('leak');
    expect(m.judgement.kind).toBe('native-heap');
    const get = (n: string) => m.judgement.signals.find((s) => s.name === n)?.perCall.estimate ?? NaN;
    // glibc rounds a 64-byte request up to an 80-byte chunk.
    expect(get('native')).toBeGreaterThanOrEqual(64);
    expect(get('native')).toBeLessThanOrEqual(96);
    expect(Math.abs(get('python'))).toBeLessThan(1);
    expect(Math.abs(get('blocks'))).toBeLessThan(0.01);
  });

  it('sees a 64 KiB leak too (above the mmap threshold for fresh chunks, still counted)', async () => {
    const m = await measureFunction(env, module, 'native', { expr: '65536' }, opts, { signal, ports });
    expect(m.status === 'judged' && m.judgement.kind).toBe('native-heap');
  });

  it('tells a leak proportional to the input from its run at twice the size, and confirms it in a fresh process', async () => {
    const inv = await investigateFunction(env, { ...module, sourcePath: null }, 'native', { expr: '1000' }, opts, { signal, ports });
    const r = resultFromInvestigation({ file: 'planted', function: 'native', call: null, build: null }, inv, 120);
    expect(r.verdict).toBe('leak');
    expect(r.kind).toBe('native-heap');
    expect(r.diagnosis?.confirmation?.verdict).toBe('leak');
    expect(r.diagnosis?.scaling?.reading).toBe('proportional');
    expect(r.diagnosis?.scaling?.ratio).toBeGreaterThan(1.8);
    expect(r.diagnosis?.scaling?.ratio).toBeLessThan(2.2);
  });

  it('calls the same allocation, freed, ok', async () => {
    const m = await measureFunction(env, module, 'native_freed', { expr: '64' }, opts, { signal, ports });
    expect(m.status === 'judged' && m.judgement.verdict).toBe('ok');
  });
});
