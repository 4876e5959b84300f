/**
 * The real HarnessSession: python/harness.py in its own process, messages on
 * fd 3, commands on its stdin, the user's prints on stdout/stderr kept apart.
 */
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import { parseHarnessLine, PROTOCOL_VERSION, type HarnessConfig, type ParsedLine } from '../core/protocol.js';
import type { HarnessSession, SessionEnd } from '../core/measure.js';
import { spawn } from './exec.js';
import { PYTHON_DIR, type PythonEnv } from './python-env.js';

export const TAIL_BYTES = 8192;

export interface StartOptions {
  timeoutMs: number;
  signal: AbortSignal;
  cwd: string;
}

export function startHarness(env: PythonEnv, config: Omit<HarnessConfig, 'protocol'>, opts: StartOptions): HarnessSession {
  const full: HarnessConfig = { protocol: PROTOCOL_VERSION, ...config };
  const child = spawn(env.python, ['-X', 'faulthandler', path.join(PYTHON_DIR, 'harness.py'), JSON.stringify(full)], {
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    cwd: opts.cwd,
    env: { ...env.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    extraFds: 1,
  });
  let stderrTail = '';
  let stdoutTail = '';
  const keep = (tail: string, chunk: Buffer | string) => (tail + chunk.toString()).slice(-TAIL_BYTES);
  child.stderr?.on('data', (c: Buffer) => {
    stderrTail = keep(stderrTail, c);
  });
  child.stdout?.on('data', (c: Buffer) => {
    stdoutTail = keep(stdoutTail, c);
  });
  // The command pipe may close first if the harness dies; that is reported by finish(), not here.
  child.stdin?.on('error', () => undefined);
  const channel = child.stdio[3] as Readable | undefined;
  if (channel === undefined) throw new Error('harness channel (fd 3) was not created');

  let ended: Promise<SessionEnd> | null = null;
  return {
    async *lines(): AsyncIterable<ParsedLine> {
      const rl = readline.createInterface({ input: channel, crlfDelay: Infinity });
      for await (const line of rl) {
        if (line.trim() === '') continue;
        yield parseHarnessLine(line);
      }
    },
    send(command) {
      if (child.stdin?.writable === true) child.stdin.write(`${command}\n`);
    },
    kill() {
      child.kill('SIGKILL');
    },
    finish() {
      ended ??= (async () => {
        child.stdin?.end();
        const result = await child;
        return {
          exitCode: result.exitCode ?? null,
          signal: result.signal ?? null,
          timedOut: result.timedOut,
          stderrTail: [stderrTail, stdoutTail].filter((t) => t.trim() !== '').join('\n'),
        };
      })();
      return ended;
    },
  };
}
