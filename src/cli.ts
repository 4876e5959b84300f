/**
 * Command-line wiring. The only place that sets the process exit code:
 * outcomes and error categories map to codes in EXIT_CODES below.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { runCommand, RunOptionsSchema } from './commands/run.js';
import { mergeCommand } from './commands/merge.js';
import { bisectCommand, BisectOptionsSchema } from './commands/bisect.js';
import {
  envInstall,
  EnvInstallOptionsSchema,
  envList,
  EnvListOptionsSchema,
  envPrune,
  EnvPruneOptionsSchema,
  formatBytes,
  renderEntries,
} from './commands/env.js';
import { gateCommand, GateOptionsSchema } from './commands/gate.js';
import type { BisectReport } from './core/bisect-report.js';
import type { GateOutcome } from './core/gate.js';
import { outcomeOf, type Outcome, type Report } from './core/report.js';
import { CancelledError, InputError, isKnownError, UsageError, type ErrorCategory } from './errors.js';
import { applyConfig, configIssueMessage, loadConfig, type ConfigKey } from './io/config.js';
import { checkOutputPaths, writeOutputFiles, type OutputRequest } from './io/output-file.js';
import { silentProgress, terminalProgress, lineProgress, type Progress } from './progress.js';
import { renderHtml } from './reporters/html.js';
import { renderJunit } from './reporters/junit.js';
import { renderMarkdown } from './reporters/markdown.js';
import { bisectDocument, gateDocument } from './reporters/html-docs.js';
import { renderJson } from './reporters/json.js';
import { renderTable } from './reporters/table.js';
import { renderBisect } from './reporters/bisect-text.js';
import { renderGateTable } from './reporters/gate-text.js';
import { TOOL_VERSION } from './version.js';
import { killAllChildren } from './io/exec.js';

/** The one table of exit codes (documented in the README). */
export const EXIT_CODES: Record<Outcome | GateOutcome | BisectReport['outcome'] | ErrorCategory | 'internal', number> = {
  clean: 0,
  leak: 1,
  usage: 2,
  unjudged: 3,
  internal: 3,
  cancelled: 130,
  // gate
  pass: 0,
  regression: 1,
  // bisect (could not judge: unjudged, 3)
  found: 0,
  'ends-agree': 4,
  // an output file (--report, --junit, --markdown) cannot be written
  output: 3,
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

/** Progress goes to a terminal only: never under CI, with --json, or into a redirected stderr. */
function progressFor(machineOutput: boolean, io: Io): Progress {
  if (machineOutput || process.env.CI !== undefined || io.stderr.isTTY !== true) return silentProgress;
  return terminalProgress(io.stderr);
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

/** The files a command was asked to write (`--report`, `--junit`, `--markdown`), in that order. */
function outputRequests(opts: { report?: unknown; junit?: unknown; markdown?: unknown }): OutputRequest[] {
  const out: OutputRequest[] = [];
  for (const flag of ['--report', '--junit', '--markdown'] as const) {
    const file = opts[flag.slice(2) as 'report' | 'junit' | 'markdown'];
    if (typeof file === 'string') out.push({ flag, file });
  }
  return out;
}

/**
 * Write the output files after stdout. A file that cannot be written is
 * reported, and its exit code (EXIT_CODES.output) replaces the command's
 * unless that already says bad input or interrupted.
 */
async function writeOutputs(
  files: ReadonlyArray<OutputRequest & { render: () => string }>,
  code: number,
  debug: boolean,
  io: Io,
  setExit: (code: number) => void,
): Promise<void> {
  const errors = await writeOutputFiles(files);
  for (const error of errors) {
    const failed = reportError(error, debug, io);
    if (code !== EXIT_CODES.usage && code !== EXIT_CODES.cancelled) setExit(failed);
  }
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
    .addOption(new Option('--warmup <seconds>', 'calls before measuring starts (raise it for a cache that fills slowly)').argParser(number('--warmup')).default(0.05))
    .option('--shard <i/n>', 'measure only shard i of n (for a CI matrix; combine the JSON reports with merge)')
    .option('--cache-dir <dir>', 'cache folder (default: the XDG cache, or $PYTHRAN_LEAKCHECK_CACHE)')
    .option('--json', 'print one JSON report on stdout and nothing else')
    .option('--report <file.html>', 'also write a self-contained HTML report (charts included) to this file')
    .action(async (targets: string[], raw: Record<string, unknown>, command: Command) => {
      if (raw.python !== undefined && raw.pythran !== undefined) throw new UsageError('use --python or --pythran, not both');
      // Defaults from pythran-leakcheck.config.json or pyproject.toml; options given on the command line win.
      const config = await loadConfig(process.cwd());
      const { options, fromConfig } = applyConfig(raw, (name) => command.getOptionValueSource(name) === 'cli', config);
      const parsed = RunOptionsSchema.safeParse(options);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const key = String(issue?.path[0] ?? '');
        if (config !== null && issue !== undefined && fromConfig.has(key as ConfigKey)) throw new InputError(configIssueMessage(config.where, issue, options, config.spelled));
        throw new UsageError(`--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}: ${issue?.message ?? 'invalid value'}`);
      }
      const outputs = outputRequests(options);
      await checkOutputPaths(outputs);
      const json = raw.json === true;
      const report = await runCommand(targets, parsed.data, {
        signal: controller.signal,
        progress: progressFor(json, io),
        cwd: process.cwd(),
      });
      writeReport(report, json, io);
      // Interrupted: what was finished has been printed; the exit code says the run was cut short.
      const code = controller.signal.aborted ? EXIT_CODES.cancelled : EXIT_CODES[outcomeOf(report.results)];
      setExit(code);
      const files = outputs.map((o) => ({ ...o, render: () => renderHtml({ kind: 'run', report }) }));
      await writeOutputs(files, code, program.opts().debug === true, io, setExit);
    });

  program
    .command('merge')
    .description('combine the JSON reports of the shards of a run (run --shard i/n --json) into one')
    .argument('<report...>', 'JSON reports written by run --json')
    .option('--json', 'print one JSON report on stdout and nothing else')
    .action(async (files: string[], raw: Record<string, unknown>) => {
      const { report, warnings } = await mergeCommand(files);
      for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
      writeReport(report, raw.json === true, io);
      setExit(EXIT_CODES[outcomeOf(report.results)]);
    });

  addVersionCommands(program, io, controller, setExit);
  return program;
}

/** Validate a command's options with its zod schema; a bad value is a usage error naming the option. */
function parseOptions<T extends z.ZodType>(schema: T, raw: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--${String(issue?.path[0] ?? '').replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}: ${issue?.message ?? 'invalid value'}`);
  }
  return parsed.data;
}

/** Options shared by every command that builds and measures. */
function addMeasureOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--budget <seconds>', 'measuring time allowed per function').argParser(number('--budget')).default(10))
    .addOption(new Option('--timeout <seconds>', 'wall time allowed per function, warm-up included').argParser(number('--timeout')).default(120))
    .addOption(new Option('--threshold <bytes>', 'bytes per call above which growth is a leak').argParser(number('--threshold')).default(16))
    .addOption(new Option('--build-timeout <seconds>', 'time allowed for one Pythran build').argParser(number('--build-timeout')).default(900))
    .option('--call <call>', "call a function this way: 'name(np.ones((8, 8)), 3)' (repeatable)", collect, [])
    .option('--cache-dir <dir>', 'cache folder (default: the XDG cache, or $PYTHRAN_LEAKCHECK_CACHE)')
    .option('--json', 'print one JSON document on stdout and nothing else');
}

function addVersionCommands(program: Command, io: Io, controller: AbortController, setExit: (code: number) => void): void {
  const env = program.command('env').description('managed environments: one per dependency set, Pythran releases and commits put on their path');
  env
    .command('list')
    .description('list environments, Pythran trees and builds in the cache')
    .option('--sizes', 'measure the size of each entry (slower)')
    .option('--cache-dir <dir>', 'cache folder')
    .option('--json', 'print one JSON document')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(EnvListOptionsSchema, { cacheDir: raw.cacheDir, sizes: raw.sizes === true });
      const report = await envList(opts, { signal: controller.signal, progress: progressFor(raw.json === true, io) });
      io.stdout.write(raw.json === true ? `${JSON.stringify(report, null, 2)}\n` : `cache: ${report.cache}\n${renderEntries(report.entries)}`);
      setExit(0);
    });
  env
    .command('install')
    .description('make the environment of each Pythran release (or, with --repo, of each revision of a checkout)')
    .argument('<version...>', 'Pythran releases such as 0.15.0, or revisions with --repo')
    .option('--repo <path>', 'a Pythran checkout: the arguments are its revisions')
    .option('--cache-dir <dir>', 'cache folder')
    .option('--json', 'print one JSON document')
    .action(async (specs: string[], raw: Record<string, unknown>) => {
      const opts = parseOptions(EnvInstallOptionsSchema, { cacheDir: raw.cacheDir, repo: raw.repo });
      const json = raw.json === true;
      const envs = await envInstall(specs, opts, { signal: controller.signal, progress: progressFor(json, io) });
      io.stdout.write(
        json
          ? `${JSON.stringify(envs, null, 2)}\n`
          : envs.map((e) => `Pythran ${e.pythran.version}${e.pythran.commit !== null ? ` (${e.pythran.commit.slice(0, 12)})` : ''}: ${e.python}, numpy ${e.numpy}\n`).join(''),
      );
      setExit(0);
    });
  env
    .command('prune')
    .description('remove environments, Pythran trees and builds not used for a while')
    .addOption(new Option('--older-than <days>', 'remove what was not used for this many days').argParser(number('--older-than')).default(30))
    .option('--all', 'remove everything')
    .option('--dry-run', 'only list what would be removed')
    .option('--cache-dir <dir>', 'cache folder')
    .option('--json', 'print one JSON document')
    .action(async (raw: Record<string, unknown>) => {
      const opts = parseOptions(EnvPruneOptionsSchema, { cacheDir: raw.cacheDir, all: raw.all === true, olderThan: raw.olderThan, dryRun: raw.dryRun === true });
      const report = await envPrune(opts, { signal: controller.signal, progress: progressFor(raw.json === true, io) });
      io.stdout.write(
        raw.json === true
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${report.dryRun ? 'would remove' : 'removed'} ${report.removed.length} entr${report.removed.length === 1 ? 'y' : 'ies'} (${formatBytes(report.bytes)})\n${report.removed.length > 0 ? renderEntries(report.removed) : ''}`,
      );
      setExit(0);
    });

  addMeasureOptions(
    program
      .command('gate')
      .description('run every repro on a baseline and a candidate Pythran; fail when the candidate regresses')
      .argument('<target...>', 'repro files, folders of repros, or file.py::function')
      .requiredOption('--baseline <version>', 'the Pythran you use now: a release, or a revision with --repo')
      .requiredOption('--candidate <version>', 'the Pythran you want: a release, or a revision with --repo')
      .option('--repo <path>', 'a Pythran checkout: --baseline and --candidate are its revisions')
      .addOption(new Option('--tolerance <percent>', 'growth of a leak (bytes per call) that still passes').argParser(number('--tolerance')).default(20))
      .option('--expectations <file>', 'known leaks (default: expectations.json beside the repros or above them)')
      .option('--junit <file>', 'also write a JUnit XML report')
      .option('--markdown <file>', 'also write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)')
      .option('--report <file.html>', 'also write a self-contained HTML report: baseline against candidate, with charts')
      .addOption(new Option('--jobs <n>', 'functions measured at once, both sides together').argParser(number('--jobs'))),
  ).action(async (targets: string[], raw: Record<string, unknown>) => {
    const { report: reportFile, ...rest } = raw;
    const opts = parseOptions(GateOptionsSchema, rest);
    const outputs = outputRequests({ ...opts, report: reportFile });
    await checkOutputPaths(outputs);
    const json = raw.json === true;
    const gate = await gateCommand(targets, opts, { signal: controller.signal, progress: progressFor(json, io), cwd: process.cwd() });
    const report = gate.report;
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderGateTable(report, makeChalk(io.stdout)));
    const code = EXIT_CODES[report.outcome];
    setExit(code);
    const render = {
      '--report': () => renderHtml(gateDocument(report, gate.baseline, gate.candidate)),
      '--junit': () => renderJunit(report),
      '--markdown': () => renderMarkdown(report),
    };
    await writeOutputs(outputs.map((o) => ({ ...o, render: render[o.flag] })), code, program.opts().debug === true, io, setExit);
  });

  addMeasureOptions(
    program
      .command('bisect')
      .description('find the first Pythran release (or commit of a checkout) that introduced or fixed a leak')
      .argument('<target>', 'file.py::function')
      .requiredOption('--from <version>', 'the older end: a release, or a revision with --repo')
      .requiredOption('--to <version>', 'the newer end: a release, or a revision with --repo')
      .option('--repo <path>', "bisect the first-parent commits of this Pythran checkout instead of PyPI's releases")
      .option('--report <file.html>', 'also write a self-contained HTML report of the points tried')
      .addOption(new Option('--jobs <n>', 'points judged at once').argParser(number('--jobs'))),
  ).action(async (target: string, raw: Record<string, unknown>) => {
    const { report: reportFile, ...rest } = raw;
    const opts = parseOptions(BisectOptionsSchema, rest);
    const outputs = outputRequests({ report: reportFile });
    await checkOutputPaths(outputs);
    const json = raw.json === true;
    // Bisection logs each point as it is judged, on stderr, unless --json (or CI) asks for silence.
    const progress = json ? progressFor(true, io) : lineProgress(io.stderr);
    const report = await bisectCommand(target, opts, { signal: controller.signal, progress, cwd: process.cwd() });
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderBisect(report, makeChalk(io.stdout)));
    const code = EXIT_CODES[report.outcome];
    setExit(code);
    await writeOutputs(outputs.map((o) => ({ ...o, render: () => renderHtml(bisectDocument(report)) })), code, program.opts().debug === true, io, setExit);
  });
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts += 1;
    if (interrupts > 1) {
      killAllChildren();
      process.exit(EXIT_CODES.cancelled);
    }
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
