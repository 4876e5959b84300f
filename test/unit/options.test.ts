/** The option table: the command line, the resolved-options schemas and the configuration file share its bounds and its messages. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { InputError } from '../../src/errors.js';
import { applyConfig, parseJsonConfig, parsePyprojectConfig } from '../../src/io/config.js';
import {
  addOptions,
  BisectOptionsSchema,
  COMMAND_KEYS,
  CONFIG_KEYS,
  configKeys,
  GateOptionsSchema,
  OPTIONS,
  RunOptionsSchema,
  type OptionKey,
} from '../../src/options.js';
import { RunOptionsSchema as FromRun } from '../../src/commands/run.js';

async function cli(argv: string[], cwd?: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const stream = (write: (s: string) => void) => ({ write: (s: string) => (write(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  const before = process.cwd();
  if (cwd !== undefined) process.chdir(cwd);
  try {
    await main(['node', 'pythran-leakcheck', ...argv], { stdout: stream(() => undefined), stderr: stream((s) => (stderr += s)) });
  } finally {
    process.chdir(before);
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stderr };
}

function configError(values: Record<string, unknown>): string {
  try {
    parseJsonConfig(JSON.stringify(values), '/p/pythran-leakcheck.config.json');
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(values)} to be refused`);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'leakcheck-options-'));
});
afterEach(async () => {
  process.exitCode = 0;
  await rm(dir, { recursive: true, force: true });
});

describe('the option table', () => {
  it('is what run.ts exports as RunOptionsSchema', () => {
    expect(FromRun).toBe(RunOptionsSchema);
  });

  it('gives commander every option of every command, with the table’s flags and defaults', () => {
    for (const [name, keys] of Object.entries(COMMAND_KEYS)) {
      const cmd = addOptions(new Command(name), name as keyof typeof COMMAND_KEYS);
      expect(cmd.options.map((o) => o.long), name).toEqual(keys.map((k: OptionKey) => OPTIONS[k].flag.split(' ')[0]));
      for (const o of cmd.options) {
        const spec = OPTIONS[o.attributeName() as OptionKey] as { default?: unknown };
        if (typeof spec.default === 'number') expect(o.defaultValue, o.long).toBe(spec.default);
      }
    }
  });

  it('gives the same defaults to every command that has the option', () => {
    const run = RunOptionsSchema.parse({});
    const gate = GateOptionsSchema.parse({ baseline: 'a', candidate: 'b' });
    const bisect = BisectOptionsSchema.parse({ from: 'a', to: 'b' });
    for (const k of ['budget', 'warmup', 'timeout', 'threshold', 'jobs', 'buildTimeout', 'call'] as const) {
      expect(gate[k], k).toEqual(run[k]);
      expect(bisect[k], k).toEqual(run[k]);
    }
    expect(run).toMatchObject({ budget: 10, warmup: 0.05, timeout: 120, threshold: 16, buildTimeout: 900, call: [], diagnose: true });
  });

  it.each([
    ['budget', 'soon', 'expected a number, got "soon"'],
    ['budget', '99999', 'expected a number of at most 3600, got 99999'],
    ['budget', '0', 'expected a number above 0, got 0'],
    ['warmup', '-1', 'expected a number of at least 0, got -1'],
    ['timeout', '1e9', 'expected a number of at most 86400, got 1000000000'],
    ['jobs', '1.5', 'expected a whole number, got 1.5'],
    ['jobs', '65', 'expected a number of at most 64, got 65'],
    ['buildTimeout', '-3', 'expected a number above 0, got -3'],
    ['threshold', '0', 'expected a number above 0, got 0'],
    ['report', 'x.json', 'expected a file name ending in .html, got "x.json"'],
  ] as const)('%s %s: the command line and the file say the same', async (key, typed, expected) => {
    const flag = OPTIONS[key].flag.split(' ')[0] ?? '';
    const fromCli = await cli(['run', 'nothing.py', flag, typed], dir);
    expect(fromCli.code).toBe(2);
    expect(fromCli.stderr).toBe(`error: ${flag}: ${expected}\n`);
    const value = key === 'report' || Number.isNaN(Number(typed)) ? typed : Number(typed);
    expect(configError({ [key]: value })).toBe(`pythran-leakcheck.config.json ${key}: ${expected}`);
  });

  it('applies the same bounds to gate and bisect, typed or from the file', async () => {
    const gate = await cli(['gate', 'x.py', '--baseline', 'a', '--candidate', 'b', '--tolerance', '-1'], dir);
    expect(gate.stderr).toBe('error: --tolerance: expected a number of at least 0, got -1\n');
    expect(configError({ tolerance: -1 })).toBe('pythran-leakcheck.config.json tolerance: expected a number of at least 0, got -1');
    expect(configError({ gate: { tolerance: -1 } })).toBe('pythran-leakcheck.config.json gate.tolerance: expected a number of at least 0, got -1');
    const bisect = await cli(['bisect', 'x.py::f', '--from', 'a', '--to', 'b', '--jobs', '0'], dir);
    expect(bisect.stderr).toBe('error: --jobs: expected a number above 0, got 0\n');
  });

  it('lets every configurable key of every command be set in the file, and nothing else', () => {
    expect(configKeys('run')).toEqual(['python', 'pythran', 'budget', 'warmup', 'timeout', 'threshold', 'jobs', 'startMethod', 'buildTimeout', 'call', 'pythranConfig', 'cacheDir', 'report']);
    expect(configKeys('gate')).toEqual(expect.arrayContaining(['repo', 'tolerance', 'expectations', 'junit', 'markdown', 'report', 'budget']));
    expect(configKeys('gate')).not.toContain('pythran');
    expect(configKeys('bisect')).not.toContain('tolerance');
    for (const k of CONFIG_KEYS) expect(['baseline', 'candidate', 'from', 'to', 'json', 'shard']).not.toContain(k);
    expect(configError({ bisect: { tolerance: 3 } })).toMatch(/^pythran-leakcheck\.config\.json: unknown key "tolerance" in the bisect table; the keys are repo, budget, /);
  });
});

describe('gate and bisect read the configuration file', () => {
  const toml = parsePyprojectConfig(
    ['[tool.pythran-leakcheck]', 'pythran = "0.15.0"', 'budget = 4', 'tolerance = 50', 'report = "run.html"', '', '[tool.pythran-leakcheck.gate]', 'budget = 6', 'junit = "out/gate.xml"', 'report = "gate.html"', ''].join('\n'),
    '/p/pyproject.toml',
  );
  const nothingTyped = () => false;

  it('run takes the top-level keys it has', () => {
    expect(applyConfig({}, nothingTyped, toml, 'run').options).toEqual({ pythran: '0.15.0', budget: 4, report: '/p/run.html' });
  });

  it('gate takes the top-level keys it has, under its own table', () => {
    expect(applyConfig({}, nothingTyped, toml, 'gate').options).toEqual({ budget: 6, tolerance: 50, junit: '/p/out/gate.xml', report: '/p/gate.html' });
  });

  it('bisect takes only what it has', () => {
    expect(applyConfig({}, nothingTyped, toml, 'bisect').options).toEqual({ budget: 4, report: '/p/run.html' });
  });

  it('the command line wins over both', () => {
    const { options, fromConfig } = applyConfig({ budget: 9 }, (k) => k === 'budget', toml, 'gate');
    expect(options.budget).toBe(9);
    expect(fromConfig.has('budget')).toBe(false);
  });

  it('a bad value the file gives gate is blamed on the file, exit 2', async () => {
    await writeFile(path.join(dir, 'pyproject.toml'), '[tool.pythran-leakcheck.gate]\ntolerance = "lots"\n');
    const res = await cli(['gate', 'x.py', '--baseline', 'a', '--candidate', 'b'], dir);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('error: pyproject.toml [tool.pythran-leakcheck] gate.tolerance: expected a number, got "lots"\n');
  });

  it('an unwritable --junit given by the file for gate is the output error, before anything is measured', async () => {
    await writeFile(path.join(dir, 'blocker'), 'x');
    await writeFile(path.join(dir, 'pythran-leakcheck.config.json'), JSON.stringify({ gate: { junit: 'blocker/gate.xml' } }));
    const res = await cli(['gate', 'x.py', '--baseline', 'a', '--candidate', 'b'], dir);
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(`error: cannot write the JUnit report to ${path.join(dir, 'blocker', 'gate.xml')}`);
  });
});
