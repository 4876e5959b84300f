/**
 * The whole pipeline of one leaking function on fake ports, without Python:
 * the build, the first measurement (the seed's recorded stream), the
 * confirmation run, the uncompiled control, the verdict and its diagnosis.
 */
import { describe, expect, it } from 'vitest';
import type { HarnessSession } from '../../src/core/measure.js';
import { parseHarnessLine, type HarnessConfig } from '../../src/core/protocol.js';
import type { Ports, PythonEnv } from '../../src/pipeline/ports.js';
import { RunOptionsSchema } from '../../src/pipeline/options.js';
import { runRepros } from '../../src/pipeline/run.js';
import { silentProgress } from '../../src/progress.js';
import { recordedLines, replay } from '../support/fake-session.js';

const SOURCE = `# pythran export simpler_leak(float32[:, :], int, int)
def simpler_leak(correl, ix, iy):
    return correl[iy - 1 : iy + 2, ix - 1 : ix + 2]
`;

/** A confirmation run: the recorded hello and ready, then one bulk message growing by `perCall` blocks per call. */
function bulkSession(calls: number, perCall: number): HarnessSession {
  const [hello, ready] = recordedLines('leaky');
  const bulk = JSON.stringify({
    type: 'bulk',
    calls,
    seconds: 0.1,
    traced: false,
    before: { blocks: 90_000, native: 7_000_000, rss: 50_000_000, refcounts: [2, null, null] },
    after: { blocks: 90_000 + perCall * calls, native: 7_000_000, rss: 50_000_000, refcounts: [2, null, null] },
  });
  const lines = [hello, ready, bulk, '{"type":"done"}'].map((l) => parseHarnessLine(l ?? ''));
  return {
    async *lines() {
      yield* lines;
    },
    send: () => undefined,
    kill: () => undefined,
    finish: async () => ({ exitCode: 0, signal: null, timedOut: false, stderrTail: '' }),
  };
}

function fakePorts(confirmPerCall: number): { ports: Ports; started: Array<Omit<HarnessConfig, 'protocol'>> } {
  const started: Array<Omit<HarnessConfig, 'protocol'>> = [];
  const ports: Ports = {
    harness: {
      start(_env, config) {
        started.push(config);
        if (config.phases.includes('bulk')) return bulkSession(config.bulkCalls, confirmPerCall);
        return replay(config.moduleName.endsWith('_uncompiled') ? 'flat' : 'leaky');
      },
    },
    builder: {
      build: async () => ({ modulePath: '/fake/build/view.so', moduleName: 'view', sourcePath: '/fake/build/view.py', key: 'k', cached: true, seconds: 0 }),
    },
    environment: { resolve: async () => ENV },
    clock: () => 0,
  };
  return { ports, started };
}

const ENV = {
  python: '/fake/python',
  probe: { executable: '/fake/python', python: '3.11.7', numpy: '1.26.4' },
  pythran: { version: '0.15.0', commit: null },
  compiler: 'g++ (fake)',
  compilerFound: true,
  env: {},
  managed: true,
} as unknown as PythonEnv;

async function runOne(confirmPerCall: number) {
  const { ports, started } = fakePorts(confirmPerCall);
  const opts = RunOptionsSchema.parse({ jobs: 1 });
  const repro = { display: 'view.py', absolute: '/fake/view.py', source: SOURCE, only: null };
  const ctx = { signal: new AbortController().signal, progress: silentProgress, cwd: '/fake', ports };
  const [result] = await runRepros([repro], ENV, { root: '/fake/cache' } as never, opts, ctx);
  return { result, started };
}

describe('the pipeline of one function, on fake ports', () => {
  it('finds the leak, confirms it in one long run, names it and says it is Pythran\'s', async () => {
    const { result, started } = await runOne(3);
    expect(result?.verdict).toBe('leak');
    expect(result?.kind).toBe('python-objects');
    expect(result?.owner).toBe('pythran');
    // First measurement, the uncompiled call that checks the generated arguments, confirmation and uncompiled control.
    expect(started.map((c) => `${c.phases.join('+')}${c.moduleName.endsWith('_uncompiled') ? ' uncompiled' : ''}`).sort()).toEqual([
      'bulk',
      'bulk uncompiled',
      'plain uncompiled',
      'plain+traced',
    ]);
    const confirm = started.find((c) => c.phases.includes('bulk') && !c.moduleName.endsWith('_uncompiled'));
    expect(confirm?.bulkCalls).toBeGreaterThanOrEqual(4 * 12444);
    expect(confirm?.warmupSeconds).toBeGreaterThan(0.05);
    expect(result?.diagnosis?.confirmation).toMatchObject({ verdict: 'leak', kind: 'python-objects' });
    expect(result?.diagnosis?.types.map((t) => t.type)).toEqual(['slice', 'tuple']);
    expect(result?.diagnosis?.interpreted?.verdict).toBe('ok');
    expect(result?.message).toContain('confirmed in a fresh process');
  });

  it('calls it ok when the long run does not grow: growth that came with batches', async () => {
    const { result } = await runOne(0);
    expect(result?.verdict).toBe('ok');
    expect(result?.owner).toBeNull();
    expect(result?.diagnosis?.confirmation?.verdict).toBe('ok');
    expect(result?.message).toContain('did not hold over one long run');
  });
});

/** Ports whose first compiled measurement says when it has ended, and whose follow-ups say when they started. */
function orderedPorts(end: 'finish' | 'crash-after-plain') {
  const { ports } = fakePorts(3);
  const events: string[] = [];
  const killed: string[] = [];
  const start = ports.harness.start.bind(ports.harness);
  const harness = {
    start(env: PythonEnv, config: Omit<HarnessConfig, 'protocol'>, opts: Parameters<Ports['harness']['start']>[2]): HarnessSession {
      const inner = start(env, config, opts);
      const name = `${config.phases.join('+')}${config.moduleName.endsWith('_uncompiled') ? ' uncompiled' : ''}`;
      events.push(`start ${name}`);
      opts.signal.addEventListener('abort', () => killed.push(name));
      if (name !== 'plain+traced') return inner;
      return {
        ...inner,
        async *lines() {
          try {
            for await (const line of inner.lines()) {
              // The crash: the process dies as its traced phase starts.
              if (end === 'crash-after-plain' && line.ok && line.message.type === 'phase' && line.message.phase === 'traced') break;
              yield line;
            }
          } finally {
            events.push('first ended');
          }
        },
        finish: async () => (end === 'crash-after-plain' ? { exitCode: null, signal: 'SIGSEGV', timedOut: false, stderrTail: '' } : inner.finish()),
      };
    },
  };
  return { ports: { ...ports, harness }, events, killed };
}

describe('the follow-ups of a leak', () => {
  const runWith = async (ports: Ports) => {
    const opts = RunOptionsSchema.parse({ jobs: 1 });
    const repro = { display: 'view.py', absolute: '/fake/view.py', source: SOURCE, only: null };
    const [r] = await runRepros([repro], ENV, { root: '/fake/cache' } as never, opts, { signal: new AbortController().signal, progress: silentProgress, cwd: '/fake', ports });
    return r;
  };

  it('start as soon as the plain phase has found it, while the traced phase runs', async () => {
    const { ports, events } = orderedPorts('finish');
    const r = await runWith(ports);
    expect(r?.verdict).toBe('leak');
    expect(events.indexOf('start bulk')).toBeGreaterThan(-1);
    expect(events.indexOf('start bulk')).toBeLessThan(events.indexOf('first ended'));
    expect(events.indexOf('start plain uncompiled')).toBeLessThan(events.indexOf('first ended'));
  });

  it('are stopped, and not reported, when the first process then fails to give a verdict', async () => {
    const { ports, events, killed } = orderedPorts('crash-after-plain');
    const r = await runWith(ports);
    expect(r?.verdict).toBe('crash');
    expect(events).toContain('start bulk');
    expect(killed).toEqual(expect.arrayContaining(['bulk', 'plain uncompiled']));
    expect(r?.diagnosis?.confirmation ?? null).toBeNull();
  });
});

describe('timings', () => {
  it('reports the wall time of each process of the investigation from the clock port', async () => {
    const { ports } = fakePorts(3);
    let now = 1000;
    const ticking = { ...ports, clock: () => (now += 250) };
    const opts = RunOptionsSchema.parse({ jobs: 1 });
    const repro = { display: 'view.py', absolute: '/fake/view.py', source: SOURCE, only: null };
    const [r] = await runRepros([repro], ENV, { root: '/fake/cache' } as never, opts, { signal: new AbortController().signal, progress: silentProgress, cwd: '/fake', ports: ticking });
    // A leak: the first measurement and the domain check side by side, the replicate and the
    // control started once the plain phase found the leak; the clock moves 0.25 s on every
    // reading, and each process reads it as it starts and ends (the first one's span holds the
    // starts of the follow-ups).
    expect(r?.verdict).toBe('leak');
    expect(r?.timings).toEqual({ measure: 1.25, domain: 0.5, replicate: 0.5, control: 0.75, scaled: null, total: 2.25 });
  });
});

describe('generated arguments checked on the uncompiled function', () => {
  it('turn a verdict into an error when plain Python raises on them', async () => {
    const { ports } = fakePorts(3);
    const raising = {
      ...ports,
      harness: {
        start: (env: PythonEnv, config: Omit<HarnessConfig, 'protocol'>, o: Parameters<Ports['harness']['start']>[2]) =>
          config.bulkCalls === 1 && config.moduleName.endsWith('_uncompiled') ? replay('raised') : ports.harness.start(env, config, o),
      },
    };
    const opts = RunOptionsSchema.parse({ jobs: 1 });
    const repro = { display: 'view.py', absolute: '/fake/view.py', source: SOURCE, only: null };
    const [r] = await runRepros([repro], ENV, { root: '/fake/cache' } as never, opts, { signal: new AbortController().signal, progress: silentProgress, cwd: '/fake', ports: raising });
    expect(r?.verdict).toBe('error');
    expect(r?.message).toContain('uncompiled, it raises IndexError');
  });
});
