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
    // Each child leads its own process group, so that stopping it also stops what it started
    // (Pythran's compiler, for one): killing only the leader would leave those running.
    detached: true,
  } as const;
}

/** Process groups of the children still running, for a last-resort stop (a second Ctrl-C). */
const liveGroups = new Set<number>();

/** Signal the process group led by `pid` (every child of this tool, and each forked harness, leads its own). */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Stop every child process group at once (used when the tool must exit immediately). */
export function killAllChildren(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  liveGroups.clear();
}

/**
 * Tie a child's whole process group to the cancel signal and to its own end:
 * on Ctrl-C the group gets SIGTERM (SIGKILL a second later), and whatever is
 * left of the group when the child is done (timed out, killed) is killed.
 */
function watchGroup(child: ResultPromise, signal: AbortSignal): void {
  const pid = child.pid;
  if (pid === undefined) return;
  liveGroups.add(pid);
  const onAbort = () => {
    killGroup(pid, 'SIGTERM');
    setTimeout(() => killGroup(pid, 'SIGKILL'), 1000).unref();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const done = () => {
    signal.removeEventListener('abort', onAbort);
    killGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
  };
  child.then(done, done);
}

export async function run(file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const child = execa(file, args, {
    ...baseOptions(opts),
    input: opts.input,
    stdin: opts.input === undefined ? 'ignore' : undefined,
    stripFinalNewline: true,
  });
  watchGroup(child, opts.signal);
  const result = await child;
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
  const child = execa(file, args, {
    ...baseOptions(opts),
    stdio: ['pipe', 'pipe', 'pipe', ...extra],
    buffer: false,
  });
  watchGroup(child, opts.signal);
  return child;
}
