/**
 * Defaults for `run` from a configuration file in the working folder:
 * `pythran-leakcheck.config.json`, or else the `[tool.pythran-leakcheck]`
 * table of `pyproject.toml`. Command-line options win over the file, and the
 * file over the built-in defaults. A bad file is an InputError naming the
 * file, the key and what was expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml, TomlDate, TomlError } from 'smol-toml';
import { z } from 'zod';
import { InputError } from '../errors.js';

export const CONFIG_JSON = 'pythran-leakcheck.config.json';
export const PYPROJECT = 'pyproject.toml';
export const PYPROJECT_TABLE = 'tool.pythran-leakcheck';

const positive = z.number().positive();

/** The settings a file may give; names as in the run options (camelCase; kebab-case is accepted for the two-word ones). */
export const ConfigSchema = z
  .strictObject({
    pythran: z.string().min(1),
    python: z.string().min(1),
    budget: positive,
    warmup: z.number().nonnegative(),
    timeout: positive,
    threshold: positive,
    jobs: z.number().int().positive(),
    buildTimeout: positive,
    cacheDir: z.string().min(1),
    call: z.array(z.string().min(1)),
    report: z.string().regex(/\.html?$/i, 'a file name ending in .html'),
  })
  .partial();
export type ConfigValues = z.infer<typeof ConfigSchema>;
export type ConfigKey = keyof ConfigValues;

export const CONFIG_KEYS = Object.keys(ConfigSchema.shape) as ConfigKey[];

const ALIASES: Record<string, ConfigKey> = { 'build-timeout': 'buildTimeout', 'cache-dir': 'cacheDir' };

export interface LoadedConfig {
  /** The file read. */
  file: string;
  /** How messages name it: `pythran-leakcheck.config.json` or `pyproject.toml [tool.pythran-leakcheck]`. */
  where: string;
  values: ConfigValues;
  /** Each key as the file spells it, for messages. */
  spelled: Partial<Record<ConfigKey, string>>;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function describeValue(v: unknown, tableWord: string): string {
  if (v === undefined) return 'nothing';
  if (v instanceof TomlDate) return `the date ${v.toISOString()}`;
  if (Array.isArray(v)) {
    const text = JSON.stringify(v);
    return text.length > 60 ? `an array of ${v.length} items` : text;
  }
  if (typeof v === 'object' && v !== null) return tableWord;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function valueAt(root: unknown, pathParts: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of pathParts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function expectedText(issue: z.core.$ZodIssue): string {
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
      return `a number ${issue.inclusive ? 'of at least' : 'above'} ${String(issue.minimum)}`;
    case 'too_big':
      return `a number ${issue.inclusive ? 'of at most' : 'below'} ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

function keyPath(parts: readonly PropertyKey[], spelled: Partial<Record<string, string>>): string {
  let out = '';
  parts.forEach((p, i) => {
    if (typeof p === 'number') out += `[${p}]`;
    else out += `${i > 0 ? '.' : ''}${i === 0 ? (spelled[String(p)] ?? String(p)) : String(p)}`;
  });
  return out;
}

/**
 * A message for one schema issue about `values` (already renamed to the
 * schema's keys): `<where> budget: expected a number, got "soon"`.
 */
export function configIssueMessage(where: string, issue: z.core.$ZodIssue, values: unknown, spelled: Partial<Record<string, string>>, tableWord = 'a table'): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return `${where}: unknown key${issue.keys.length === 1 ? '' : 's'} ${keys}; the keys are ${CONFIG_KEYS.join(', ')}`;
  }
  const got = describeValue(valueAt(values, issue.path), tableWord);
  return `${where} ${keyPath(issue.path, spelled)}: expected ${expectedText(issue)}, got ${got}`;
}

/**
 * Validates a settings table read from `file` (a JSON object, or the TOML
 * table). Relative `cacheDir`, `report` and `python` (when it names a path,
 * not a command) are resolved against the file's folder. Pure.
 */
export function validateConfig(raw: unknown, file: string, where: string): LoadedConfig {
  const tableWord = file.endsWith('.toml') ? 'a table' : 'an object';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof TomlDate) {
    throw new InputError(`${where}: expected a table of settings, got ${describeValue(raw, tableWord)}`);
  }
  const renamed: Record<string, unknown> = {};
  const spelled: Partial<Record<string, string>> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const name = ALIASES[key] ?? key;
    if (spelled[name] !== undefined) {
      throw new InputError(`${where}: "${spelled[name]}" and "${key}" are the same setting; keep one`);
    }
    spelled[name] = key;
    renamed[name] = value;
  }
  const parsed = ConfigSchema.safeParse(renamed);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue === undefined ? `${where}: invalid settings` : configIssueMessage(where, issue, renamed, spelled, tableWord), {
      hint: `fix ${path.basename(file)}, or override the key on the command line`,
    });
  }
  const values = { ...parsed.data };
  const dir = path.dirname(file);
  if (values.cacheDir !== undefined) values.cacheDir = path.resolve(dir, values.cacheDir);
  if (values.report !== undefined) values.report = path.resolve(dir, values.report);
  if (values.python !== undefined && /[\\/]/.test(values.python)) values.python = path.resolve(dir, values.python);
  if (values.python !== undefined && values.pythran !== undefined) {
    throw new InputError(`${where}: give python or pythran, not both`);
  }
  return { file, where, values, spelled: spelled as LoadedConfig['spelled'] };
}

/** Parses the text of `pythran-leakcheck.config.json`. Pure. */
export function parseJsonConfig(text: string, file: string): LoadedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${CONFIG_JSON}: not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return validateConfig(raw, file, CONFIG_JSON);
}

/** Parses the text of `pyproject.toml`: null when it has no [tool.pythran-leakcheck] table. Pure. */
export function parsePyprojectConfig(text: string, file: string): LoadedConfig | null {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const first = error.message.split('\n')[0] ?? error.message;
      throw new InputError(`${PYPROJECT}:${error.line}:${error.column}: not valid TOML: ${first}`, { cause: error });
    }
    throw error;
  }
  const tool = doc.tool;
  if (tool === null || typeof tool !== 'object' || Array.isArray(tool)) return null;
  const table = (tool as Record<string, unknown>)['pythran-leakcheck'];
  if (table === undefined) return null;
  return validateConfig(table, file, `${PYPROJECT} [${PYPROJECT_TABLE}]`);
}

async function readIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new InputError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The configuration in `cwd`: `pythran-leakcheck.config.json` if it exists
 * (pyproject.toml is then not read), else pyproject.toml's
 * [tool.pythran-leakcheck] table, else null.
 */
export async function loadConfig(cwd: string): Promise<LoadedConfig | null> {
  const jsonFile = path.join(cwd, CONFIG_JSON);
  const json = await readIfExists(jsonFile);
  if (json !== null) return parseJsonConfig(json, jsonFile);
  const tomlFile = path.join(cwd, PYPROJECT);
  const toml = await readIfExists(tomlFile);
  if (toml !== null) return parsePyprojectConfig(toml, tomlFile);
  return null;
}

/**
 * The run options with the file's values filled in where the command line
 * did not give the option (`explicit(name)` says whether it did). Giving
 * --python or --pythran overrides both python and pythran from the file.
 * Returns the merged options and the keys that came from the file.
 */
export function applyConfig<T extends Record<string, unknown>>(
  cli: T,
  explicit: (name: ConfigKey) => boolean,
  config: LoadedConfig | null,
): { options: T & ConfigValues; fromConfig: Set<ConfigKey> } {
  const options: Record<string, unknown> = { ...cli };
  const fromConfig = new Set<ConfigKey>();
  if (config === null) return { options: options as T & ConfigValues, fromConfig };
  const interpreterGiven = explicit('python') || explicit('pythran');
  for (const key of CONFIG_KEYS) {
    const value = config.values[key];
    if (value === undefined || explicit(key)) continue;
    if ((key === 'python' || key === 'pythran') && interpreterGiven) continue;
    options[key] = value;
    fromConfig.add(key);
  }
  return { options: options as T & ConfigValues, fromConfig };
}

/** How a message names a key of the file: `pyproject.toml [tool.pythran-leakcheck] budget`. */
export function configKeyName(config: LoadedConfig, key: ConfigKey): string {
  return `${config.where} ${config.spelled[key] ?? key}`;
}
