/**
 * Every subprocess this tool starts goes through here: an argument array
 * (never a shell), a timeout, and the run's cancel signal, which Ctrl-C aborts.
 */
import { execa, type ResultPromise } from 'execa';
import { CancelledError } from '../errors.js';

export interface ExecOptions {
  /** Milliseconds before the process is killed. Required: nothing runs unbounded. */
  timeoutMs: number;
  signal: AbortSignal;
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

export interface ExecResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The program could not be started at all (ENOENT, EACCES). */
  failedToStart: boolean;
  command: string;
}

/** What every child gets: no rejection on failure, the timeout, Ctrl-C's cancel signal, a hard kill 2 s after. */
function baseOptions(opts: Omit<ExecOptions, 'input'>) {
  if (opts.signal.aborted) throw new CancelledError();
  return {
    reject: false,
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    forceKillAfterDelay: 2000,
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: true,
  } as const;
}

export async function run(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const result = await execa(file, args, {
    ...baseOptions(opts),
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    stripFinalNewline: true,
  });
  if (result.isCanceled) throw new CancelledError();
  const failedToStart = result.exitCode === undefined && result.signal === undefined && !result.timedOut;
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    timedOut: result.timedOut,
    failedToStart,
    command: [file, ...args].join(' '),
  };
}

/** Start a long-lived child whose streams the caller reads itself (the harness). */
export function spawn(
  file: string,
  args: readonly string[],
  opts: Omit<ExecOptions, 'input'> & { extraFds: number },
): ResultPromise {
  const extra = Array.from({ length: opts.extraFds }, () => 'pipe' as const);
  return execa(file, args, {
    ...baseOptions(opts),
    stdio: ['pipe', 'pipe', 'pipe', ...extra],
    buffer: false,
  });
}
