/**
 * Command-line wiring. The only place that sets the process exit code:
 * outcomes and error categories map to codes in EXIT_CODES below.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { runCommand, RunOptionsSchema } from './commands/run.js';
import { outcomeOf, type Outcome, type Report } from './core/report.js';
import { CancelledError, isKnownError, UsageError, type ErrorCategory } from './errors.js';
import { silentProgress, terminalProgress, lineProgress, type Progress } from './progress.js';
import { renderJson } from './reporters/json.js';
import { renderTable } from './reporters/table.js';
import { TOOL_VERSION } from './version.js';

/** The one table of exit codes (documented in the README). */
export const EXIT_CODES: Record<Outcome | ErrorCategory | 'internal', number> = {
  clean: 0,
  leak: 1,
  usage: 2,
  unjudged: 3,
  internal: 3,
  cancelled: 130,
};

function makeChalk(stream: NodeJS.WriteStream): ChalkInstance {
  // chalk 5 honours FORCE_COLOR but not NO_COLOR (https://no-color.org).
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return new Chalk({ level: 0 });
  if (process.env.FORCE_COLOR !== undefined) return new Chalk();
  return new Chalk({ level: stream.isTTY ? new Chalk().level : 0 });
}

function number(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number.`);
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function progressFor(machineOutput: boolean, io: Io): Progress {
  if (machineOutput || process.env.CI !== undefined) return silentProgress;
  return io.stderr.isTTY ? terminalProgress(io.stderr) : lineProgress(io.stderr);
}

function reportError(error: unknown, debug: boolean, io: Io): number {
  const c = makeChalk(io.stderr);
  if (error instanceof CommanderError) {
    // commander has already printed its message
    return error.exitCode === 0 ? 0 : EXIT_CODES.usage;
  }
  if (isKnownError(error)) {
    io.stderr.write(`${c.red('error:')} ${error.message}\n`);
    if (error.hint !== undefined) io.stderr.write(`${c.dim('hint:')} ${error.hint}\n`);
    if (debug && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return EXIT_CODES[error.category];
  }
  const err = error instanceof Error ? error : new Error(String(error));
  io.stderr.write(`${c.red('internal error:')} ${err.message}\n`);
  io.stderr.write(debug ? `${err.stack ?? ''}\n` : `${c.dim('this is a bug in pythran-leakcheck; run again with --debug for the stack trace and report it')}\n`);
  return EXIT_CODES.internal;
}

function writeReport(report: Report, json: boolean, io: Io): void {
  io.stdout.write(json ? renderJson(report) : renderTable(report, makeChalk(io.stdout)));
}

export function buildProgram(io: Io, controller: AbortController, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name('pythran-leakcheck')
    .description('Build Pythran repros, run each exported function in a loop, and tell whether it leaks memory.')
    .version(TOOL_VERSION)
    .option('--debug', 'show stack traces for errors')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('run')
    .description('measure every exported function of the given repros')
    .argument('<target...>', 'a repro file, a folder of repros, or file.py::function')
    .option('--python <path>', 'use this interpreter and the Pythran it has')
    .option('--pythran <version>', 'use a managed environment with this Pythran release from PyPI')
    .addOption(new Option('--budget <seconds>', 'measuring time allowed per function').argParser(number('--budget')).default(10))
    .addOption(new Option('--timeout <seconds>', 'wall time allowed per function, warm-up included').argParser(number('--timeout')).default(120))
    .addOption(new Option('--threshold <bytes>', 'bytes per call above which growth is a leak').argParser(number('--threshold')).default(16))
    .addOption(new Option('--jobs <n>', 'functions measured at once, each in its own process').argParser(number('--jobs')))
    .addOption(new Option('--build-timeout <seconds>', 'time allowed for one Pythran build').argParser(number('--build-timeout')).default(900))
    .option('--call <call>', "call a function this way: 'name(np.ones((8, 8)), 3)' (repeatable)", collect, [])
    .option('--cache-dir <dir>', 'cache folder (default: the XDG cache, or $PYTHRAN_LEAKCHECK_CACHE)')
    .option('--json', 'print one JSON report on stdout and nothing else')
    .action(async (targets: string[], raw: Record<string, unknown>) => {
      if (raw.python !== undefined && raw.pythran !== undefined) throw new UsageError('use --python or --pythran, not both');
      const parsed = RunOptionsSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new UsageError(`--${String(issue?.path[0] ?? '').replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}: ${issue?.message ?? 'invalid value'}`);
      }
      const json = raw.json === true;
      const report = await runCommand(targets, parsed.data, {
        signal: controller.signal,
        progress: progressFor(json, io),
        cwd: process.cwd(),
      });
      writeReport(report, json, io);
      setExit(EXIT_CODES[outcomeOf(report.results)]);
    });

  return program;
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT_CODES.cancelled);
    io.stderr.write('\nInterrupted: stopping child processes (press Ctrl-C again to quit at once)...\n');
    controller.abort(new CancelledError());
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const debug = argv.includes('--debug');
  let code = 0;
  try {
    const program = buildProgram(io, controller, (c) => {
      code = c;
    });
    await program.parseAsync(argv);
  } catch (error) {
    code = reportError(controller.signal.aborted ? new CancelledError('interrupted') : error, debug, io);
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  process.exitCode = code;
}

export const __test = { z };
