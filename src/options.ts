/**
 * Every command-line option, defined once.
 *
 * One table (OPTIONS) gives, for each option, its flag, its help text, its
 * zod schema (the one set of bounds), its default, and whether a
 * configuration file may set it. From it come the commander options
 * (`addOptions`), the zod schema of each command's resolved options
 * (`optionsSchema`, and RunOptionsSchema, GateOptionsSchema,
 * BisectOptionsSchema below), and the configuration file's schema
 * (io/config.ts). Messages about a bad value come from one function
 * (`issueMessage`), whether the value was typed or read from the file.
 *
 * No I/O here.
 */
import os from 'node:os';
import { Option, type Command } from 'commander';
import { TomlDate } from 'smol-toml';
import { z } from 'zod';
import { DEFAULT_THRESHOLDS } from './core/verdict.js';

/** Where a relative path given in a configuration file is resolved: against the file's folder. */
export type PathRule = 'path' | 'path-if-slash';

interface OptionSpec {
  /** The flag and its argument, as commander reads them: `--budget <seconds>`, `--json`. */
  readonly flag: string;
  readonly description: string;
  /** The value's type and bounds. */
  readonly schema: z.ZodType;
  /** The default (shown in --help; applied when neither the command line nor the file gives one). */
  readonly default?: unknown;
  /** The option must be given on the command line. */
  readonly required?: true;
  /** Repeatable: each use adds one string to a list. */
  readonly repeatable?: true;
  /** A configuration file may set it; a relative path in it is resolved against the file's folder. */
  readonly config?: true | PathRule;
  /** Other spellings accepted in a configuration file. */
  readonly aliases?: readonly string[];
}

/** The default of --jobs: the cores, at most 2. */
export const DEFAULT_JOBS = (): number => Math.max(1, Math.min(2, os.availableParallelism()));

const seconds = (max: number) => z.number().positive().max(max);
const text = z.string().min(1);

export const OPTIONS = {
  // which Pythran
  pythran: { flag: '--pythran <version>', description: 'use a managed environment with this Pythran release from PyPI', schema: text, config: true },
  python: { flag: '--python <path>', description: 'use this interpreter and the Pythran it has', schema: text, config: 'path-if-slash' },
  baseline: { flag: '--baseline <version>', description: 'the Pythran you use now: a release, or a revision with --repo', schema: text, required: true },
  candidate: { flag: '--candidate <version>', description: 'the Pythran you want: a release, or a revision with --repo', schema: text, required: true },
  from: { flag: '--from <version>', description: 'the older end: a release, or a revision with --repo', schema: text, required: true },
  to: { flag: '--to <version>', description: 'the newer end: a release, or a revision with --repo', schema: text, required: true },
  repo: { flag: '--repo <path>', description: 'a Pythran checkout: the versions named are its revisions', schema: text, config: 'path' },
  // measuring
  budget: { flag: '--budget <seconds>', description: 'measuring time allowed per function', schema: seconds(3600), default: 10, config: true },
  warmup: {
    flag: '--warmup <seconds>',
    description: 'calls before measuring starts (raise it for a cache that fills slowly)',
    schema: z.number().nonnegative().max(3600),
    default: 0.05,
    config: true,
  },
  timeout: { flag: '--timeout <seconds>', description: 'wall time allowed per function, warm-up included', schema: seconds(24 * 3600), default: 120, config: true },
  threshold: { flag: '--threshold <bytes>', description: 'bytes per call above which growth is a leak', schema: z.number().positive(), default: DEFAULT_THRESHOLDS.bytes, config: true },
  jobs: { flag: '--jobs <n>', description: 'functions measured at once, each in its own process', schema: z.number().int().positive().max(64), default: DEFAULT_JOBS, config: true },
  startMethod: {
    flag: '--start-method <method>',
    description: "how measuring processes start: 'fork' from one warm interpreter per environment, or 'spawn' a fresh interpreter each",
    schema: z.enum(['fork', 'spawn']),
    default: 'fork',
    config: true,
    aliases: ['start-method'],
  },
  buildTimeout: { flag: '--build-timeout <seconds>', description: 'time allowed for one Pythran build', schema: seconds(24 * 3600), default: 900, config: true, aliases: ['build-timeout'] },
  pythranConfig: {
    flag: '--pythran-config <key=value>',
    description: "a Pythran setting for every build, as pythran --config takes it: 'compiler.blas=openblas' (repeatable; wins over the managed BLAS)",
    schema: z.array(z.string().regex(/^[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*=/, "expected 'section.key=value', such as compiler.blas=openblas")),
    default: [],
    repeatable: true,
    config: true,
    aliases: ['pythran-config'],
  },
  call: {
    flag: '--call <call>',
    description: "call a function this way: 'name(np.ones((8, 8)), 3)' (repeatable)",
    schema: z.array(text),
    default: [],
    repeatable: true,
    config: true,
  },
  shard: { flag: '--shard <i/n>', description: 'measure only shard i of n (for a CI matrix; combine the JSON reports with merge)', schema: text },
  cacheDir: {
    flag: '--cache-dir <dir>',
    description: 'cache folder (default: the XDG cache, or $PYTHRAN_LEAKCHECK_CACHE)',
    schema: text,
    config: 'path',
    aliases: ['cache-dir'],
  },
  // gate
  tolerance: {
    flag: '--tolerance <percent>',
    description: 'growth of a leak (bytes per call) that still passes',
    schema: z.number().nonnegative().max(10_000),
    default: 20,
    config: true,
  },
  expectations: { flag: '--expectations <file>', description: 'known leaks (default: expectations.json beside the repros or above them)', schema: text, config: 'path' },
  // reduce
  out: { flag: '--out <dir>', description: 'folder for the reduced repro, its JSON report and ISSUE.md (default: a new folder here named after the function)', schema: text },
  budgetTotal: { flag: '--budget-total <seconds>', description: 'wall time allowed for the whole reduction', schema: seconds(24 * 3600), default: 240 },
  releases: {
    flag: '--releases <from..to>',
    description: 'also find the first release that leaks and the last that does not, in this range (0.14.0..0.16.1)',
    schema: z.string().regex(/^[^.\s]\S*\.\.\S+$/, "a range of releases such as '0.14.0..0.16.1'"),
  },
  // output
  json: { flag: '--json', description: 'print one JSON document on stdout and nothing else', schema: z.boolean(), default: false },
  verbose: { flag: '--verbose', description: 'also print where the time went (environment, build, measurement, replicate, control)', schema: z.boolean(), default: false },
  report: {
    flag: '--report <file.html>',
    description: 'also write a self-contained HTML report (charts included) to this file',
    schema: z.string().regex(/\.html?$/i, 'a file name ending in .html'),
    config: 'path',
  },
  junit: { flag: '--junit <file>', description: 'also write a JUnit XML report', schema: text, config: 'path' },
  markdown: { flag: '--markdown <file>', description: 'also write a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)', schema: text, config: 'path' },
  // env
  sizes: { flag: '--sizes', description: 'measure the size of each entry (slower)', schema: z.boolean(), default: false },
  olderThan: { flag: '--older-than <days>', description: 'remove what was not used for this many days', schema: z.number().nonnegative().max(100_000), default: 30 },
  all: { flag: '--all', description: 'remove everything', schema: z.boolean(), default: false },
  dryRun: { flag: '--dry-run', description: 'only list what would be removed', schema: z.boolean(), default: false },
} as const satisfies Record<string, OptionSpec>;

export type OptionKey = keyof typeof OPTIONS;
type Spec<K extends OptionKey> = (typeof OPTIONS)[K];

/** The options each command takes, in --help order. */
export const MEASURE_KEYS = ['budget', 'warmup', 'timeout', 'threshold', 'jobs', 'startMethod', 'buildTimeout', 'call', 'pythranConfig', 'cacheDir', 'json', 'report'] as const;
export const COMMAND_KEYS = {
  run: ['python', 'pythran', ...MEASURE_KEYS, 'verbose', 'shard'],
  gate: ['baseline', 'candidate', 'repo', 'tolerance', 'expectations', ...MEASURE_KEYS, 'junit', 'markdown'],
  bisect: ['from', 'to', 'repo', ...MEASURE_KEYS],
  reduce: ['python', 'pythran', 'out', 'budgetTotal', 'releases', 'budget', 'warmup', 'timeout', 'threshold', 'startMethod', 'buildTimeout', 'call', 'pythranConfig', 'cacheDir', 'json'],
  'env list': ['sizes', 'cacheDir', 'json'],
  'env install': ['repo', 'cacheDir', 'json'],
  'env prune': ['olderThan', 'all', 'dryRun', 'cacheDir', 'json'],
} as const satisfies Record<string, readonly OptionKey[]>;
export type CommandName = keyof typeof COMMAND_KEYS;

/** The commands that read the configuration file. */
export const CONFIGURED_COMMANDS = ['run', 'gate', 'bisect'] as const;
export type ConfiguredCommand = (typeof CONFIGURED_COMMANDS)[number];

// ---------------------------------------------------------------- zod schemas

type Field<S> = S extends { schema: infer T extends z.ZodType; default: unknown }
  ? z.ZodDefault<T>
  : S extends { schema: infer T extends z.ZodType; required: true }
    ? T
    : S extends { schema: infer T extends z.ZodType }
      ? z.ZodOptional<T>
      : never;
type Shape<K extends OptionKey> = { [k in K]: Field<Spec<k>> };

function field(spec: OptionSpec): z.ZodType {
  if ('default' in spec && spec.default !== undefined) {
    const d = spec.default;
    return spec.schema.default(typeof d === 'function' ? (d) : (d));
  }
  return spec.required === true ? spec.schema : spec.schema.optional();
}

/** The schema of the resolved options of these keys: the table's types, bounds and defaults. */
export function optionsSchema<const K extends OptionKey>(keys: readonly K[]): z.ZodObject<Shape<K>> {
  const shape: Record<string, z.ZodType> = {};
  for (const k of keys) shape[k] = field(OPTIONS[k]);
  return z.object(shape) as unknown as z.ZodObject<Shape<K>>;
}

/** Name a leak (uncompiled control, run at twice the size); gate and bisect need only the verdict. Not an option. */
const diagnose = { diagnose: z.boolean().default(true) };
/** The output options: the CLI's, not the commands'. */
const OUTPUT_KEYS: readonly OptionKey[] = ['json', 'report', 'verbose'];
/** The keys of a command's resolved options: its options less the output ones (--json, --report, --verbose), which are the CLI's. */
type Resolved<C extends CommandName> = Exclude<(typeof COMMAND_KEYS)[C][number], 'json' | 'report' | 'verbose'>;
function resolvedKeys<C extends CommandName>(command: C): Array<Resolved<C>> {
  return (COMMAND_KEYS[command] as readonly OptionKey[]).filter((k) => !OUTPUT_KEYS.includes(k)) as Array<Resolved<C>>;
}

export const RunOptionsSchema = optionsSchema(resolvedKeys('run')).extend(diagnose);
export type RunOptions = z.infer<typeof RunOptionsSchema>;

export const GateOptionsSchema = optionsSchema(resolvedKeys('gate')).extend(diagnose);
export type GateOptions = z.infer<typeof GateOptionsSchema>;

export const BisectOptionsSchema = optionsSchema(resolvedKeys('bisect')).extend(diagnose);
export type BisectOptions = z.infer<typeof BisectOptionsSchema>;

export const ReduceOptionsSchema = optionsSchema(resolvedKeys('reduce'));
export type ReduceOptions = z.infer<typeof ReduceOptionsSchema>;

export const EnvListOptionsSchema = optionsSchema(resolvedKeys('env list'));
export const EnvInstallOptionsSchema = optionsSchema(resolvedKeys('env install'));
export const EnvPruneOptionsSchema = optionsSchema(resolvedKeys('env prune'));

// ---------------------------------------------------------------- the configuration file

/** The keys a configuration file may give for `command`. */
export function configKeys(command: ConfiguredCommand): OptionKey[] {
  return (COMMAND_KEYS[command] as readonly OptionKey[]).filter((k) => (OPTIONS[k] as OptionSpec).config !== undefined);
}

/** Every key a configuration file may give, for one command or another, in table order. */
export const CONFIG_KEYS: OptionKey[] = (Object.keys(OPTIONS) as OptionKey[]).filter((k) => CONFIGURED_COMMANDS.some((c) => configKeys(c).includes(k)));

/** Other spellings of keys in a file (`build-timeout` for `buildTimeout`). */
export const CONFIG_ALIASES: Record<string, OptionKey> = Object.fromEntries(
  (Object.entries(OPTIONS) as Array<[OptionKey, OptionSpec]>).flatMap(([k, s]) => (s.aliases ?? []).map((a) => [a, k] as const)),
);

/** How a relative path the file gives for `key` is resolved, if it is one. */
export function pathRule(key: OptionKey): PathRule | null {
  const c = (OPTIONS[key] as OptionSpec).config;
  return c === 'path' || c === 'path-if-slash' ? c : null;
}

/** The schema of a settings table: these keys, each optional, no other. */
export function configSchema(keys: readonly OptionKey[]): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const k of keys) shape[k] = OPTIONS[k].schema.optional();
  return z.strictObject(shape);
}

// ---------------------------------------------------------------- messages

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** A value as a message shows it: `"soon"`, `1.5`, `an object`, `the date 1979-05-27`. */
export function describeValue(v: unknown, tableWord = 'an object'): string {
  if (v === undefined) return 'nothing';
  if (v instanceof TomlDate) return `the date ${v.toISOString()}`;
  if (Array.isArray(v)) {
    const t = JSON.stringify(v);
    return t.length > 60 ? `an array of ${v.length} items` : t;
  }
  if (typeof v === 'object' && v !== null) return tableWord;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  const t = JSON.stringify(v);
  return t.length > 60 ? `${t.slice(0, 57)}..."` : t;
}

/** What the table expected, from a zod issue: `a number of at most 3600`, `a whole number`. */
export function expectedText(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const e = String(issue.expected);
      if (e === 'int') return 'a whole number';
      if (e === 'array') return 'an array of strings';
      if (e === 'object') return 'a table of settings';
      return article(e);
    }
    case 'too_small':
      if (issue.origin === 'string') return 'a non-empty string';
      if (issue.origin === 'array') return 'a non-empty array';
      return `a number ${issue.inclusive === true ? 'of at least' : 'above'} ${String(issue.minimum)}`;
    case 'too_big':
      return `a number ${issue.inclusive === true ? 'of at most' : 'below'} ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

/** The one message for a bad value, typed or read from a file: `<name>: expected <what>, got <value>`. */
export function issueMessage(name: string, issue: z.core.$ZodIssue, value: unknown, tableWord?: string): string {
  return `${name}: expected ${expectedText(issue)}, got ${describeValue(value, tableWord)}`;
}

/** `--build-timeout` for `buildTimeout`. */
export function flagName(key: string): string {
  const spec = (OPTIONS as Record<string, OptionSpec | undefined>)[key];
  return spec?.flag.split(' ')[0] ?? `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;
}

// ---------------------------------------------------------------- commander

/**
 * A number typed on the command line; anything else is passed on as typed,
 * for the schema to refuse with the one message.
 */
function numberOrText(value: string): number | string {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function isNumeric(schema: z.ZodType): boolean {
  return schema instanceof z.ZodNumber;
}

/** Adds the table's options for `command` to a commander command; `describe` overrides help texts. */
export function addOptions(cmd: Command, command: CommandName, describe: Partial<Record<OptionKey, string>> = {}): Command {
  for (const key of COMMAND_KEYS[command] as readonly OptionKey[]) {
    const spec: OptionSpec = OPTIONS[key];
    const lazy = typeof spec.default === 'function' ? ` (default: ${String((spec.default as () => unknown)())})` : '';
    const option = new Option(spec.flag, `${describe[key] ?? spec.description}${lazy}`);
    if (spec.required === true) option.makeOptionMandatory();
    if (spec.repeatable === true) option.argParser(collect).default([]);
    else if (isNumeric(spec.schema)) option.argParser(numberOrText);
    if (spec.repeatable !== true && spec.default !== undefined && typeof spec.default !== 'function' && spec.default !== false) {
      option.default(spec.default);
    }
    cmd.addOption(option);
  }
  return cmd;
}
