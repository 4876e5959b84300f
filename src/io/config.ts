/**
 * Defaults for `run`, `gate` and `bisect` from a configuration file in the
 * working folder: `pythran-leakcheck.config.json`, or else the
 * `[tool.pythran-leakcheck]` table of `pyproject.toml`. Command-line options
 * win over the file, and the file over the built-in defaults. The file's
 * keys, types and bounds are the option table's (src/options.ts); a key
 * applies to every command that has that option, and a `run`, `gate` or
 * `bisect` table inside it gives keys for that command alone (they win over
 * the top-level ones). A bad file is an InputError naming the file, the key
 * and what was expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml, TomlDate, TomlError } from 'smol-toml';
import { z } from 'zod';
import { InputError } from '../errors.js';
import {
  CONFIG_ALIASES,
  CONFIG_KEYS,
  CONFIGURED_COMMANDS,
  configKeys,
  configSchema,
  describeValue,
  issueMessage,
  pathRule,
  type ConfiguredCommand,
  type OptionKey,
} from '../options.js';

export { CONFIG_KEYS } from '../options.js';

export const CONFIG_JSON = 'pythran-leakcheck.config.json';
export const PYPROJECT = 'pyproject.toml';
export const PYPROJECT_TABLE = 'tool.pythran-leakcheck';

/** The file's schema: every configurable key, and a table per command with that command's keys. */
export const ConfigSchema = z.strictObject({
  ...configSchema(CONFIG_KEYS).shape,
  ...Object.fromEntries(CONFIGURED_COMMANDS.map((c) => [c, configSchema(configKeys(c)).optional()])),
});
export type ConfigKey = OptionKey;
export type ConfigValues = Partial<Record<ConfigKey, unknown>> & {
  pythran?: string;
  python?: string;
  budget?: number;
  report?: string;
  cacheDir?: string;
  call?: string[];
};

export interface LoadedConfig {
  /** The file read. */
  file: string;
  /** How messages name it: `pythran-leakcheck.config.json` or `pyproject.toml [tool.pythran-leakcheck]`. */
  where: string;
  /** The top-level keys: they apply to every command that has the option. */
  values: ConfigValues;
  /** Keys of a command's own table (`[tool.pythran-leakcheck.gate]`): for that command, over the top-level ones. */
  sections: Partial<Record<ConfiguredCommand, ConfigValues>>;
  /** Each key as the file spells it, for messages (`gate.build-timeout` for a key of the gate table). */
  spelled: Partial<Record<string, string>>;
}

function valueAt(root: unknown, pathParts: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of pathParts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

function keyPath(parts: readonly PropertyKey[], spelled: Partial<Record<string, string>>): string {
  let out = '';
  let named = '';
  parts.forEach((p, i) => {
    if (typeof p === 'number') {
      out += `[${p}]`;
      return;
    }
    named = named === '' ? String(p) : `${named}.${String(p)}`;
    const spelling = spelled[named] ?? String(p);
    out += `${i > 0 ? '.' : ''}${spelling.split('.').pop() ?? spelling}`;
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
    const section = issue.path.length > 0 ? String(issue.path[0]) : null;
    const known = section !== null && (CONFIGURED_COMMANDS as readonly string[]).includes(section) ? configKeys(section as ConfiguredCommand) : [...CONFIG_KEYS, ...CONFIGURED_COMMANDS];
    const at = section !== null ? ` in the ${section} table` : '';
    return `${where}: unknown key${issue.keys.length === 1 ? '' : 's'} ${keys}${at}; the keys are ${known.join(', ')}`;
  }
  return issueMessage(`${where} ${keyPath(issue.path, spelled)}`, issue, valueAt(values, issue.path), tableWord);
}

function isTable(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof TomlDate);
}

/** The keys of one table renamed to the option names (aliases resolved); `prefix` names a command's table. */
function renameKeys(table: Record<string, unknown>, where: string, prefix: string, spelled: Partial<Record<string, string>>): Record<string, unknown> {
  const renamed: Record<string, unknown> = {};
  const seen: Partial<Record<string, string>> = {};
  for (const [key, value] of Object.entries(table)) {
    const name = CONFIG_ALIASES[key] ?? key;
    const firstSpelling = seen[name];
    if (firstSpelling !== undefined) {
      throw new InputError(`${where}: "${prefix}${firstSpelling}" and "${prefix}${key}" are the same setting; keep one`);
    }
    seen[name] = key;
    spelled[`${prefix}${name}`] = `${prefix}${key}`;
    renamed[name] = prefix === '' && (CONFIGURED_COMMANDS as readonly string[]).includes(name) && isTable(value) ? renameKeys(value, where, `${name}.`, spelled) : value;
  }
  return renamed;
}

/** Relative paths resolved against the file's folder (`python` only when it contains a slash: a bare name is looked up on the PATH). */
function resolvePaths(values: Record<string, unknown>, dir: string): ConfigValues {
  const out: Record<string, unknown> = { ...values };
  for (const [key, value] of Object.entries(values)) {
    const rule = pathRule(key as OptionKey);
    if (rule === null || typeof value !== 'string') continue;
    if (rule === 'path' || /[\\/]/.test(value)) out[key] = path.resolve(dir, value);
  }
  return out;
}

/**
 * Validates a settings table read from `file` (a JSON object, or the TOML
 * table). Relative paths are resolved against the file's folder. Pure.
 */
export function validateConfig(raw: unknown, file: string, where: string): LoadedConfig {
  const tableWord = file.endsWith('.toml') ? 'a table' : 'an object';
  if (!isTable(raw)) {
    throw new InputError(`${where}: expected a table of settings, got ${describeValue(raw, tableWord)}`);
  }
  const spelled: Partial<Record<string, string>> = {};
  const renamed = renameKeys(raw, where, '', spelled);
  const parsed = ConfigSchema.safeParse(renamed);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue === undefined ? `${where}: invalid settings` : configIssueMessage(where, issue, renamed, spelled, tableWord), {
      hint: `fix ${path.basename(file)}, or override the key on the command line`,
    });
  }
  const dir = path.dirname(file);
  const { run, gate, bisect, ...top } = parsed.data as Record<string, unknown> & Partial<Record<ConfiguredCommand, Record<string, unknown>>>;
  const values = resolvePaths(top, dir);
  const sections: LoadedConfig['sections'] = {};
  for (const [name, table] of [['run', run], ['gate', gate], ['bisect', bisect]] as const) {
    if (table !== undefined) sections[name] = resolvePaths(table, dir);
  }
  for (const [prefix, v] of [['', values], ['run.', sections.run ?? {}]] as const) {
    if (v.python !== undefined && v.pythran !== undefined) throw new InputError(`${where}: give ${prefix}python or ${prefix}pythran, not both`);
  }
  return { file, where, values, sections, spelled };
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

/** The file's values for `command`: the top-level keys it has, then its own table's. */
export function valuesFor(config: LoadedConfig, command: ConfiguredCommand): ConfigValues {
  const keys = configKeys(command);
  const out: Record<string, unknown> = {};
  for (const k of keys) if (config.values[k] !== undefined) out[k] = config.values[k];
  const own = config.sections[command] ?? {};
  // A command's own python or pythran replaces both of the top level's.
  if (own.python !== undefined || own.pythran !== undefined) {
    delete out.python;
    delete out.pythran;
  }
  return { ...out, ...own };
}

/**
 * A command's options with the file's values filled in where the command line
 * did not give the option (`explicit(name)` says whether it did). Giving
 * --python or --pythran overrides both python and pythran from the file.
 * Returns the merged options and the keys that came from the file.
 */
export function applyConfig<T extends Record<string, unknown>>(
  cli: T,
  explicit: (name: ConfigKey) => boolean,
  config: LoadedConfig | null,
  command: ConfiguredCommand = 'run',
): { options: T & ConfigValues; fromConfig: Set<ConfigKey> } {
  const options: Record<string, unknown> = { ...cli };
  const fromConfig = new Set<ConfigKey>();
  if (config === null) return { options: options as T & ConfigValues, fromConfig };
  const values = valuesFor(config, command);
  const interpreterGiven = explicit('python') || explicit('pythran');
  for (const [key, value] of Object.entries(values) as Array<[ConfigKey, unknown]>) {
    if (value === undefined || explicit(key)) continue;
    if ((key === 'python' || key === 'pythran') && interpreterGiven) continue;
    options[key] = value;
    fromConfig.add(key);
  }
  return { options: options as T & ConfigValues, fromConfig };
}

/** How a message names a key of the file: `pyproject.toml [tool.pythran-leakcheck] budget`. */
export function configKeyName(config: LoadedConfig, key: ConfigKey, command?: ConfiguredCommand): string {
  const inSection = command !== undefined && config.sections[command]?.[key] !== undefined;
  const name = inSection ? `${command}.${key}` : key;
  return `${config.where} ${config.spelled[name] ?? name}`;
}
