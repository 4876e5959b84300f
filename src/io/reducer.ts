/**
 * The search engine of `reduce`: pysource-minimize in a venv of its own under
 * the cache (<cache>/tools/reducer-cpXY-pysource-minimize-VERSION/, made on
 * first use from PyPI), and python/reduce_driver.py run in it, talking
 * line-delimited JSON on stdin/stdout. Started through exec.ts: an argument
 * array, a timeout, the cancel signal.
 */
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod';
import { parseDriverLine, type DriverMessage } from '../core/reduce.js';
import { HarnessError } from '../errors.js';
import { writeFileAtomic, withLock } from './cache.js';
import { spawn } from './exec.js';
import { createVenv, probeBase, pythonTag, readMarker, touch, type EnvContext } from './managed/shared.js';
import { PYTHON_DIR } from './python-env.js';

export const REDUCER_PACKAGE = 'pysource-minimize';
export const REDUCER_VERSION = '0.10.1';
const TOOL_MARKER = 'leakcheck-tool.json';
const ToolMarker = z.object({ package: z.literal(REDUCER_PACKAGE), version: z.literal(REDUCER_VERSION), created: z.string() });

/** The reducer's interpreter: its venv, made on first use. */
export async function ensureReducer(ctx: EnvContext): Promise<string> {
  const base = await probeBase(ctx);
  const dir = path.join(ctx.cache.root, 'tools', `reducer-${pythonTag(base.python)}-${REDUCER_PACKAGE}-${REDUCER_VERSION}`);
  const ready = async () => (await readMarker(path.join(dir, TOOL_MARKER), ToolMarker)) !== null;
  if (!(await ready())) {
    await withLock(`${dir}.lock-target`, async () => {
      if (await ready()) return;
      await createVenv(dir, base, [`${REDUCER_PACKAGE}==${REDUCER_VERSION}`], `the reducer's environment (${REDUCER_PACKAGE} ${REDUCER_VERSION})`, ctx);
      await writeFileAtomic(path.join(dir, TOOL_MARKER), JSON.stringify({ package: REDUCER_PACKAGE, version: REDUCER_VERSION, created: new Date().toISOString() }, null, 2));
    });
  }
  await touch(dir);
  return path.join(dir, 'bin', 'python');
}

/** What the driver is given (python/reduce_driver.py documents it). */
export interface DriverConfig {
  source: string;
  function: string;
  /** The export types of the function's parameters, in order. */
  types: string[];
  /** The repro's `# leakcheck: call` line for the function, kept while every parameter is. */
  callLine: string | null;
  /** The driver's folder: candidates and answers. */
  work: string;
  moduleName: string;
}

export interface DriverSession {
  /** The driver's messages, checked, until it ends. */
  messages(): AsyncIterable<DriverMessage>;
  answer(id: string, interesting: boolean): void;
  /** Stop the driver and every searcher it forked. */
  stop(): void;
  /** Resolves when the driver has ended; its stderr's tail. */
  finish(): Promise<string>;
}

export function startDriver(python: string, config: DriverConfig, opts: { timeoutMs: number; signal: AbortSignal }): DriverSession {
  const child = spawn(python, [path.join(PYTHON_DIR, 'reduce_driver.py'), JSON.stringify(config)], {
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    cwd: config.work,
    env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    extraFds: 0,
  });
  let stderrTail = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderrTail = (stderrTail + c.toString()).slice(-4096);
  });
  child.stdin?.on('error', () => undefined);
  const stdout = child.stdout;
  if (stdout === null) throw new Error('the reducer driver has no stdout');
  return {
    async *messages() {
      const rl = readline.createInterface({ input: stdout, crlfDelay: Infinity });
      for await (const line of rl) {
        if (line.trim() === '') continue;
        const message = parseDriverLine(line);
        if (message === null) throw new HarnessError(`the reducer driver sent a line that is not one of its messages: ${line.slice(0, 200)}`);
        yield message;
      }
    },
    answer(id, interesting) {
      if (child.stdin?.writable === true) child.stdin.write(`${JSON.stringify({ id, interesting })}\n`);
    },
    stop() {
      child.kill('SIGKILL');
    },
    async finish() {
      child.stdin?.end();
      await child.catch(() => undefined);
      return stderrTail;
    },
  };
}
