/**
 * The harness must not see itself: nothing it allocates between two readings may
 * survive to the next one. A no-op function and one that sleeps 5 ms, measured with
 * one call per batch for hundreds of batches, must read exactly the same blocks,
 * traced bytes and native bytes from the first reading to the last. A harness that
 * kept one object per batch would add 300 blocks here.
 * Then the whole investigation of slow functions (10 ms per call): a one-block leak
 * is found and confirmed, and the same function without the leak is ok.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlainSample, TracedSample } from '../../src/core/protocol.js';
import { resultFromInvestigation } from '../../src/core/results.js';
import { openCache } from '../../src/io/cache.js';
import { startHarness } from '../../src/io/harness.js';
import { realPorts } from '../../src/io/ports.js';
import { ensureManagedEnv, type PythonEnv } from '../../src/io/python-env.js';
import { investigateFunction } from '../../src/pipeline/measure.js';
import { silentProgress } from '../../src/progress.js';
import { TEST_CACHE } from '../support/cli.js';

const MODULE = `
import time
_kept = []

def noop(*args):
    return None

def sleep5(*args):
    time.sleep(0.005)

def leak_one_slow():
    _kept.append(object())  # one allocator block per call
    time.sleep(0.01)

def slow():
    time.sleep(0.01)
`;

const BATCHES = 300;
let env: PythonEnv;
let modulePath: string;
const signal = new AbortController().signal;
const ports = realPorts('fork', signal);
afterAll(() => ports.close());

beforeAll(async () => {
  env = await ensureManagedEnv('0.16.1', { cache: await openCache(TEST_CACHE), signal, progress: silentProgress });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'harness-clean-'));
  modulePath = path.join(dir, 'selftest.py');
  await writeFile(modulePath, MODULE);
});

/** Run the harness on `fn` with one call per batch, BATCHES readings per phase. */
async function readings(fn: string): Promise<{ plain: PlainSample[]; traced: TracedSample[] }> {
  const session = startHarness(
    env,
    {
      modulePath,
      moduleName: 'selftest',
      function: fn,
      call: { args: [] },
      warmupSeconds: 0.05,
      warmupMinCalls: 10,
      batchSeconds: 1e-9,
      maxBatchCalls: 1,
      phases: ['plain', 'traced'],
      scale: 1,
      census: true,
      bulkCalls: 0,
      bulkTraced: false,
    },
    { timeoutMs: 120_000, signal, cwd: path.dirname(modulePath) },
  );
  const out = { plain: [] as PlainSample[], traced: [] as TracedSample[] };
  for await (const line of session.lines()) {
    if (!line.ok) throw new Error(line.reason);
    const m = line.message;
    if (m.type === 'error') throw new Error(`${m.exception}: ${m.message}`);
    if (m.type === 'sample') {
      const list = m.phase === 'plain' ? out.plain : out.traced;
      if (list.length === BATCHES) continue; // 'next' is on its way
      list.push(m as never);
      if (list.length === BATCHES) session.send('next');
    }
    if (m.type === 'done') break;
  }
  await session.finish();
  return out;
}

describe('the harness leaves nothing behind per batch', () => {
  it.each(['noop', 'sleep5'])(`%s: ${BATCHES} one-call batches read the same blocks, native and traced bytes throughout`, async (fn) => {
    const r = await readings(fn);
    expect(r.plain.length).toBe(BATCHES);
    expect(r.traced.length).toBe(BATCHES);
    expect(r.plain.every((s) => s.calls === r.plain.indexOf(s) + 1)).toBe(true);
    const blocks = r.plain.map((s) => s.blocks);
    const native = r.plain.map((s) => s.native);
    const traced = r.traced.map((s) => s.traced);
    expect(new Set(blocks), `blocks: ${blocks.slice(0, 8).join(', ')} ... ${blocks.at(-1)}`).toHaveLength(1);
    expect(new Set(native), `native: ${native.slice(0, 8).join(', ')} ... ${native.at(-1)}`).toHaveLength(1);
    expect(new Set(traced), `traced: ${traced.slice(0, 8).join(', ')} ... ${traced.at(-1)}`).toHaveLength(1);
  });
});

describe('slow functions (10 ms per call) get verdicts within the default budget', () => {
  const opts = { budget: 10, timeout: 120, threshold: 16, diagnose: false };
  const ctx = { signal, ports };

  it('finds and confirms a leak of one block per call', async () => {
    const inv = await investigateFunction(env, { modulePath, moduleName: 'selftest', sourcePath: null }, 'leak_one_slow', { args: [] }, opts, ctx);
    const r = resultFromInvestigation({ file: 'selftest.py', function: 'leak_one_slow', call: null, build: null }, inv, 120);
    expect(r.verdict, r.message ?? '').toBe('leak');
    expect(r.kind).toBe('python-objects');
    expect(r.diagnosis?.confirmation?.verdict).toBe('leak');
    const blocks = r.diagnosis?.confirmation?.signals.find((s) => s.name === 'blocks');
    expect(blocks?.perCall).toBeGreaterThan(0.9);
    expect(blocks?.perCall).toBeLessThan(1.1);
  });

  it('calls the same function without the leak ok', async () => {
    const inv = await investigateFunction(env, { modulePath, moduleName: 'selftest', sourcePath: null }, 'slow', { args: [] }, opts, ctx);
    const r = resultFromInvestigation({ file: 'selftest.py', function: 'slow', call: null, build: null }, inv, 120);
    expect(r.verdict, r.message ?? '').toBe('ok');
  });
});
