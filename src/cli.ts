/**
 * Command-line wiring. The only place that sets the process exit code:
 * outcomes and error categories map to codes in EXIT_CODES below. The
 * options come from the one table in options.ts. Each command's modules are
 * imported when it runs, so that starting the tool loads only what it needs.
 */
import path from 'node:path';
import { Chalk, type ChalkInstance } from 'chalk';
import { Command, CommanderError } from 'commander';
import { type z } from 'zod';
import type { BisectReport } from './core/bisect-report.js';
import type { GateOutcome } from './core/gate.js';
import type { ReduceReport } from './core/reduce.js';
import { outcomeOf, type Outcome, type Report } from './core/report.js';
import { CancelledError, InputError, isKnownError, UsageError, type ErrorCategory } from './errors.js';
import { applyConfig, configKeyName, loadConfig, type ConfigKey } from './io/config.js';
import { killAllChildren } from './io/exec.js';
import { checkOutputPaths, writeOutputFiles, type OutputRequest } from './io/output-file.js';
import {
  addOptions,
  BisectOptionsSchema,
  COMMAND_KEYS,
  CONFIGURED_COMMANDS,
  EnvInstallOptionsSchema,
  EnvListOptionsSchema,
  EnvPruneOptionsSchema,
  flagName,
  GateOptionsSchema,
  ReduceOptionsSchema,
  issueMessage,
  optionsSchema,
  RunOptionsSchema,
  type CommandName,
  type ConfiguredCommand,
} from './options.js';
import { lineProgress, silentProgress, terminalProgress, type Progress } from './progress.js';
import { renderJson } from './reporters/json.js';
import { renderTable } from './reporters/table.js';
import { TOOL_VERSION } from './version.js';

/** The one table of exit codes (documented in the README). */
export const EXIT_CODES: Record<Outcome | GateOutcome | BisectReport['outcome'] | ReduceReport['outcome'] | ErrorCategory | 'internal', number> = {
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
  // reduce: a reduced repro, confirmed (0) or not (could not judge, 3); nothing to reduce (5); does not build (6)
  reduced: 0,
  unconfirmed: 3,
  'nothing-to-reduce': 5,
  'not-buildable': 6,
};

function makeChalk(stream: NodeJS.WriteStream): ChalkInstance {
  // chalk 5 honours FORCE_COLOR but not NO_COLOR (https://no-color.org).
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return new Chalk({ level: 0 });
  if (process.env.FORCE_COLOR !== undefined) return new Chalk();
  return new Chalk({ level: stream.isTTY ? new Chalk().level : 0 });
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

function writeReport(report: Report, json: boolean, io: Io, verbose = false): void {
  io.stdout.write(json ? renderJson(report) : renderTable(report, makeChalk(io.stdout), { verbose }));
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

/**
 * A command's options: the command line, over the configuration file (for
 * run, gate and bisect), over the table's defaults, checked against the
 * table's schema for every option the command has. A bad value is a
 * UsageError naming the flag, or an InputError naming the file and key it
 * came from, with the same words either way.
 */
async function resolveOptions<T extends z.ZodType>(
  schema: T,
  command: CommandName,
  raw: Record<string, unknown>,
  cmd: Command,
): Promise<{ options: z.infer<T>; outputs: OutputRequest[] }> {
  const configured = (CONFIGURED_COMMANDS as readonly string[]).includes(command) ? (command as ConfiguredCommand) : null;
  if (raw.python !== undefined && raw.pythran !== undefined) throw new UsageError('use --python or --pythran, not both');
  // Defaults from pythran-leakcheck.config.json or pyproject.toml; options given on the command line win.
  const config = configured === null ? null : await loadConfig(process.cwd());
  const { options, fromConfig } = applyConfig(raw, (name) => cmd.getOptionValueSource(name) === 'cli', config, configured ?? 'run');
  const everything = optionsSchema(COMMAND_KEYS[command]).safeParse(options);
  const issue = everything.success ? schema.safeParse(options).error?.issues[0] : everything.error.issues[0];
  if (issue !== undefined) {
    const key = String(issue.path[0] ?? '');
    const rest = issue.path.slice(1).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const value = issue.path.reduce<unknown>((v, p) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined), options);
    if (config !== null && configured !== null && fromConfig.has(key as ConfigKey)) {
      throw new InputError(issueMessage(`${configKeyName(config, key as ConfigKey, configured)}${rest}`, issue, value), {
        hint: `fix ${path.basename(config.file)}, or override the key on the command line`,
      });
    }
    throw new UsageError(issueMessage(`${flagName(key)}${rest}`, issue, value));
  }
  const outputs = outputRequests(options);
  await checkOutputPaths(outputs);
  return { options: schema.parse(options), outputs };
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
  const debug = () => program.opts().debug === true;

  addOptions(
    program
      .command('run')
      .description('measure every exported function of the given repros')
      .argument('<target...>', 'a repro file, a folder of repros, or file.py::function'),
    'run',
  ).action(async (targets: string[], raw: Record<string, unknown>, command: Command) => {
    const { options, outputs } = await resolveOptions(RunOptionsSchema, 'run', raw, command);
    const json = raw.json === true;
    const { runCommand } = await import('./commands/run.js');
    const report = await runCommand(targets, options, {
      signal: controller.signal,
      progress: progressFor(json, io),
      cwd: process.cwd(),
    });
    writeReport(report, json, io, raw.verbose === true);
    // Interrupted: what was finished has been printed; the exit code says the run was cut short.
    const code = controller.signal.aborted ? EXIT_CODES.cancelled : EXIT_CODES[outcomeOf(report.results)];
    setExit(code);
    if (outputs.length > 0) {
      const { renderHtml } = await import('./reporters/html.js');
      await writeOutputs(outputs.map((o) => ({ ...o, render: () => renderHtml({ kind: 'run', report }) })), code, debug(), io, setExit);
    }
  });

  program
    .command('merge')
    .description('combine the JSON reports of the shards of a run (run --shard i/n --json) into one')
    .argument('<report...>', 'JSON reports written by run --json')
    .option('--json', 'print one JSON report on stdout and nothing else')
    .action(async (files: string[], raw: Record<string, unknown>) => {
      const { mergeCommand } = await import('./commands/merge.js');
      const { report, warnings } = await mergeCommand(files);
      for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
      writeReport(report, raw.json === true, io);
      setExit(EXIT_CODES[outcomeOf(report.results)]);
    });

  const env = program.command('env').description('managed environments: one per dependency set, Pythran releases and commits put on their path');
  addOptions(env.command('list').description('list environments, Pythran trees and builds in the cache'), 'env list').action(
    async (raw: Record<string, unknown>, command: Command) => {
      const { options } = await resolveOptions(EnvListOptionsSchema, 'env list', raw, command);
      const { envList, renderEntries } = await import('./commands/env.js');
      const report = await envList(options, { signal: controller.signal, progress: progressFor(raw.json === true, io) });
      io.stdout.write(raw.json === true ? `${JSON.stringify(report, null, 2)}\n` : `cache: ${report.cache}\n${renderEntries(report.entries)}`);
      setExit(0);
    },
  );
  addOptions(
    env
      .command('install')
      .description('make the environment of each Pythran release (or, with --repo, of each revision of a checkout)')
      .argument('<version...>', 'Pythran releases such as 0.15.0, or revisions with --repo'),
    'env install',
    { repo: 'a Pythran checkout: the arguments are its revisions' },
  ).action(async (specs: string[], raw: Record<string, unknown>, command: Command) => {
    const { options } = await resolveOptions(EnvInstallOptionsSchema, 'env install', raw, command);
    const json = raw.json === true;
    const { envInstall } = await import('./commands/env.js');
    const envs = await envInstall(specs, options, { signal: controller.signal, progress: progressFor(json, io) });
    io.stdout.write(
      json
        ? `${JSON.stringify(envs, null, 2)}\n`
        : envs.map((e) => `Pythran ${e.pythran.version}${e.pythran.commit !== null ? ` (${e.pythran.commit.slice(0, 12)})` : ''}: ${e.python}, numpy ${e.numpy}\n`).join(''),
    );
    setExit(0);
  });
  addOptions(env.command('prune').description('remove environments, Pythran trees and builds not used for a while'), 'env prune').action(
    async (raw: Record<string, unknown>, command: Command) => {
      const { options } = await resolveOptions(EnvPruneOptionsSchema, 'env prune', raw, command);
      const { envPrune, formatBytes, renderEntries } = await import('./commands/env.js');
      const report = await envPrune(options, { signal: controller.signal, progress: progressFor(raw.json === true, io) });
      io.stdout.write(
        raw.json === true
          ? `${JSON.stringify(report, null, 2)}\n`
          : `${report.dryRun ? 'would remove' : 'removed'} ${report.removed.length} entr${report.removed.length === 1 ? 'y' : 'ies'} (${formatBytes(report.bytes)})\n${report.removed.length > 0 ? renderEntries(report.removed) : ''}`,
      );
      setExit(0);
    },
  );

  addOptions(
    program
      .command('gate')
      .description('run every repro on a baseline and a candidate Pythran; fail when the candidate regresses')
      .argument('<target...>', 'repro files, folders of repros, or file.py::function'),
    'gate',
    {
      repo: 'a Pythran checkout: --baseline and --candidate are its revisions',
      jobs: 'functions measured at once, both sides together',
      report: 'also write a self-contained HTML report: baseline against candidate, with charts',
    },
  ).action(async (targets: string[], raw: Record<string, unknown>, command: Command) => {
    const { options, outputs } = await resolveOptions(GateOptionsSchema, 'gate', raw, command);
    const json = raw.json === true;
    const { gateCommand } = await import('./commands/gate.js');
    const { renderGateTable } = await import('./reporters/gate-text.js');
    const { gateDocument } = await import('./reporters/html-docs.js');
    const { renderHtml } = await import('./reporters/html.js');
    const { renderJunit } = await import('./reporters/junit.js');
    const { renderMarkdown } = await import('./reporters/markdown.js');
    const gate = await gateCommand(targets, options, { signal: controller.signal, progress: progressFor(json, io), cwd: process.cwd() });
    const report = gate.report;
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderGateTable(report, makeChalk(io.stdout)));
    const code = EXIT_CODES[report.outcome];
    setExit(code);
    const render = {
      '--report': () => renderHtml(gateDocument(report, gate.baseline, gate.candidate)),
      '--junit': () => renderJunit(report),
      '--markdown': () => renderMarkdown(report),
    };
    await writeOutputs(outputs.map((o) => ({ ...o, render: render[o.flag] })), code, debug(), io, setExit);
  });

  addOptions(
    program
      .command('bisect')
      .description('find the first Pythran release (or commit of a checkout) that introduced or fixed a leak')
      .argument('<target>', 'file.py::function'),
    'bisect',
    {
      repo: "bisect the first-parent commits of this Pythran checkout instead of PyPI's releases",
      jobs: 'points judged at once',
      report: 'also write a self-contained HTML report of the points tried',
    },
  ).action(async (target: string, raw: Record<string, unknown>, command: Command) => {
    const { options, outputs } = await resolveOptions(BisectOptionsSchema, 'bisect', raw, command);
    const json = raw.json === true;
    // Bisection logs each point as it is judged, on stderr, unless --json (or CI) asks for silence.
    const progress = json ? progressFor(true, io) : lineProgress(io.stderr);
    const { bisectCommand } = await import('./commands/bisect.js');
    const { renderBisect } = await import('./reporters/bisect-text.js');
    const { bisectDocument } = await import('./reporters/html-docs.js');
    const { renderHtml } = await import('./reporters/html.js');
    const report = await bisectCommand(target, options, { signal: controller.signal, progress, cwd: process.cwd() });
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderBisect(report, makeChalk(io.stdout)));
    const code = EXIT_CODES[report.outcome];
    setExit(code);
    await writeOutputs(outputs.map((o) => ({ ...o, render: () => renderHtml(bisectDocument(report)) })), code, debug(), io, setExit);
  });

  addOptions(
    program
      .command('reduce')
      .description('shrink a leaking function (and its module) to a smaller repro that leaks the same way, with an upstream-ready ISSUE.md')
      .argument('<target>', 'file.py::function'),
    'reduce',
  ).action(async (target: string, raw: Record<string, unknown>, command: Command) => {
    const { options } = await resolveOptions(ReduceOptionsSchema, 'reduce', raw, command);
    const json = raw.json === true;
    const { reduceCommand } = await import('./commands/reduce.js');
    const { renderReduce } = await import('./reporters/reduce-text.js');
    const report = await reduceCommand(target, options, { signal: controller.signal, progress: progressFor(json, io), cwd: process.cwd() });
    io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : renderReduce(report, makeChalk(io.stdout)));
    // Interrupted: the smallest repro found so far is written and printed; the exit code says the run was cut short.
    setExit(controller.signal.aborted ? EXIT_CODES.cancelled : EXIT_CODES[report.outcome]);
  });

  return program;
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

