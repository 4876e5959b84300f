/** Configuration files: where they are read from, what wins, and what a bad one says. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { applyConfig, loadConfig, parseJsonConfig, parsePyprojectConfig, type ConfigKey } from '../../src/io/config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'leakcheck-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

async function loadError(): Promise<InputError> {
  const error = await loadConfig(dir).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InputError);
  return error as InputError;
}

describe('loadConfig', () => {
  it('finds nothing in a folder without either file', async () => {
    expect(await loadConfig(dir)).toBeNull();
  });

  it('reads [tool.pythran-leakcheck] from pyproject.toml, kebab-case keys included', async () => {
    await writeFile(
      path.join(dir, 'pyproject.toml'),
      ['[project]', 'name = "x"', '', '[tool.pythran-leakcheck]', 'pythran = "0.15.0"', 'budget = 4', 'build-timeout = 300', 'call = ["f(np.ones(4))"]', 'report = "out/leaks.html"', ''].join('\n'),
    );
    const config = await loadConfig(dir);
    expect(config?.where).toBe('pyproject.toml [tool.pythran-leakcheck]');
    expect(config?.values).toEqual({
      pythran: '0.15.0',
      budget: 4,
      buildTimeout: 300,
      call: ['f(np.ones(4))'],
      report: path.join(dir, 'out', 'leaks.html'),
    });
  });

  it('ignores a pyproject.toml without the table', async () => {
    await writeFile(path.join(dir, 'pyproject.toml'), '[tool.ruff]\nline-length = 100\n');
    expect(await loadConfig(dir)).toBeNull();
  });

  it('prefers pythran-leakcheck.config.json over pyproject.toml, and resolves paths against its folder', async () => {
    await writeFile(path.join(dir, 'pyproject.toml'), '[tool.pythran-leakcheck]\nbudget = "soon"\n');
    await writeFile(path.join(dir, 'pythran-leakcheck.config.json'), JSON.stringify({ jobs: 1, cacheDir: 'cache', python: 'venv/bin/python' }));
    const config = await loadConfig(dir);
    expect(config?.where).toBe('pythran-leakcheck.config.json');
    expect(config?.values).toEqual({ jobs: 1, cacheDir: path.join(dir, 'cache'), python: path.join(dir, 'venv', 'bin', 'python') });
  });

  it('names the file, the key and what was expected', async () => {
    await writeFile(path.join(dir, 'pyproject.toml'), '[tool.pythran-leakcheck]\nbudget = "soon"\n');
    expect((await loadError()).message).toBe('pyproject.toml [tool.pythran-leakcheck] budget: expected a number, got "soon"');
  });

  it('reports TOML syntax errors with their line', async () => {
    await writeFile(path.join(dir, 'pyproject.toml'), '[tool.pythran-leakcheck]\nbudget = = 3\n');
    expect((await loadError()).message).toMatch(/^pyproject\.toml:2:\d+: not valid TOML: /);
  });
});

describe('config messages', () => {
  const json = (value: unknown) => errorOf(() => parseJsonConfig(JSON.stringify(value), '/p/pythran-leakcheck.config.json')).message;
  const toml = (text: string) => errorOf(() => parsePyprojectConfig(`[tool.pythran-leakcheck]\n${text}\n`, '/p/pyproject.toml')).message;

  it.each([
    [{ budget: 'soon' }, 'pythran-leakcheck.config.json budget: expected a number, got "soon"'],
    [{ jobs: 1.5 }, 'pythran-leakcheck.config.json jobs: expected a whole number, got 1.5'],
    [{ timeout: -1 }, 'pythran-leakcheck.config.json timeout: expected a number above 0, got -1'],
    [{ call: 'f(1)' }, 'pythran-leakcheck.config.json call: expected an array of strings, got "f(1)"'],
    [{ call: ['f(1)', 2] }, 'pythran-leakcheck.config.json call[1]: expected a string, got 2'],
    [{ pythran: '' }, 'pythran-leakcheck.config.json pythran: expected a non-empty string, got ""'],
    [{ report: 'leaks.json' }, 'pythran-leakcheck.config.json report: expected a file name ending in .html, got "leaks.json"'],
    [{ cacheDir: { a: 1 } }, 'pythran-leakcheck.config.json cacheDir: expected a string, got an object'],
  ])('%j', (value, message) => {
    expect(json(value)).toBe(message);
  });

  it('names unknown keys and lists the known ones', () => {
    expect(json({ budgett: 3 })).toMatch(/^pythran-leakcheck\.config\.json: unknown key "budgett"; the keys are pythran, python, repo, budget, .*, tolerance, .*, run, gate, bisect$/);
  });

  it('refuses a JSON file that is not an object, or not JSON', () => {
    expect(json([1, 2])).toBe('pythran-leakcheck.config.json: expected a table of settings, got [1,2]');
    expect(errorOf(() => parseJsonConfig('{"budget": 3,}', '/p/pythran-leakcheck.config.json')).message).toMatch(/^pythran-leakcheck\.config\.json: not valid JSON: /);
  });

  it('spells TOML keys as the file does', () => {
    expect(toml('build-timeout = "long"')).toBe('pyproject.toml [tool.pythran-leakcheck] build-timeout: expected a number, got "long"');
    expect(toml('budget = 1979-05-27')).toBe('pyproject.toml [tool.pythran-leakcheck] budget: expected a number, got the date 1979-05-27');
    expect(toml('threshold = nan')).toBe('pyproject.toml [tool.pythran-leakcheck] threshold: expected a number, got NaN');
    expect(toml('build-timeout = 3\nbuildTimeout = 4')).toBe('pyproject.toml [tool.pythran-leakcheck]: "build-timeout" and "buildTimeout" are the same setting; keep one');
  });

  it('refuses python and pythran together', () => {
    expect(toml('python = "python3"\npythran = "0.16.1"')).toBe('pyproject.toml [tool.pythran-leakcheck]: give python or pythran, not both');
  });
});

describe('applyConfig (command line over file over defaults)', () => {
  const config = parseJsonConfig(JSON.stringify({ pythran: '0.15.0', budget: 4, threshold: 32, call: ['f(1)'], report: 'r.html' }), '/p/pythran-leakcheck.config.json');
  // what commander gives when nothing is typed: the defaults
  const defaults = { budget: 10, timeout: 120, threshold: 16, buildTimeout: 900, call: [] as string[] };
  const given =
    (...names: ConfigKey[]) =>
    (name: ConfigKey) =>
      names.includes(name);

  it('fills in what the command line left at its default', () => {
    const { options, fromConfig } = applyConfig(defaults, given(), config);
    expect(options).toMatchObject({ pythran: '0.15.0', budget: 4, threshold: 32, timeout: 120, call: ['f(1)'], report: '/p/r.html' });
    expect([...fromConfig].sort()).toEqual(['budget', 'call', 'pythran', 'report', 'threshold']);
  });

  it('lets options given on the command line win, even when equal to the default', () => {
    const { options, fromConfig } = applyConfig({ ...defaults, budget: 10, call: ['g(2)'] }, given('budget', 'call'), config);
    expect(options.budget).toBe(10);
    expect(options.call).toEqual(['g(2)']);
    expect(options.threshold).toBe(32);
    expect(fromConfig.has('budget')).toBe(false);
  });

  it('drops the file’s interpreter choice when --python or --pythran is given', () => {
    const { options } = applyConfig({ ...defaults, python: '/usr/bin/python3' }, given('python'), config);
    expect(options.python).toBe('/usr/bin/python3');
    expect(options.pythran).toBeUndefined();
  });

  it('changes nothing without a file', () => {
    expect(applyConfig(defaults, given(), null).options).toEqual(defaults);
  });
});
