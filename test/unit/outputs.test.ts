import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, main } from '../../src/cli.js';
import { OutputError } from '../../src/errors.js';
import { checkOutputPath, writeOutputFile, writeOutputFiles } from '../../src/io/output-file.js';

/** Runs the CLI in-process with captured streams; returns the exit code it set. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stream = (write: (s: string) => void) => ({ write: (s: string) => (write(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
  await main(['node', 'pythran-leakcheck', ...argv], {
    stdout: stream((s) => (stdout += s)),
    stderr: stream((s) => (stderr += s)),
  });
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { code, stdout, stderr };
}

let dir: string;
let blocked: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'leakcheck-outputs-'));
  blocked = path.join(dir, 'a-file');
  await writeFile(blocked, 'x');
});
afterEach(() => {
  process.exitCode = 0;
});

describe('output writer', () => {
  it('refuses a path through a file, a folder, for every flag alike', async () => {
    for (const flag of ['--report', '--junit', '--markdown'] as const) {
      const file = path.join(blocked, 'out.html');
      const error = await checkOutputPath({ flag, file }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OutputError);
      expect((error as OutputError).message).toContain(`${file}: ${blocked} is a file, not a folder`);
      expect((error as OutputError).hint).toBe(`give ${flag} a path in a writable folder`);
    }
    const folder = path.join(dir, 'folder.html');
    await mkdir(folder);
    for (const flag of ['--report', '--junit', '--markdown'] as const) {
      expect(await checkOutputPath({ flag, file: folder }).catch((e: unknown) => e)).toBeInstanceOf(OutputError);
    }
  });

  it('accepts a writable path, made or not', async () => {
    await expect(checkOutputPath({ flag: '--junit', file: path.join(dir, 'r.xml') })).resolves.toBeUndefined();
    await expect(checkOutputPath({ flag: '--markdown', file: path.join(dir, 'new', 'folder', 'r.md') })).resolves.toBeUndefined();
  });

  it('writes a file, making missing folders, and reports each failure without stopping', async () => {
    const good = path.join(dir, 'sub', 'deeper', 'x.md');
    await writeOutputFile({ flag: '--markdown', file: good }, '# hi\n');
    expect(await readFile(good, 'utf8')).toBe('# hi\n');
    const errors = await writeOutputFiles([
      { flag: '--junit', file: path.join(blocked, 'x.xml'), render: () => '<x/>' },
      { flag: '--markdown', file: good, render: () => 'again\n' },
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(OutputError);
    expect(await readFile(good, 'utf8')).toBe('again\n');
  });
});

describe('exit codes', () => {
  it('an unwritable --report, --junit or --markdown exits with the one output code, before anything is measured', async () => {
    const cases = [
      ['run', 'nothing.py', '--report', path.join(blocked, 'r.html')],
      ['gate', 'nothing.py', '--baseline', '0.15.0', '--candidate', '0.16.1', '--report', path.join(blocked, 'r.html')],
      ['gate', 'nothing.py', '--baseline', '0.15.0', '--candidate', '0.16.1', '--junit', path.join(blocked, 'r.xml')],
      ['gate', 'nothing.py', '--baseline', '0.15.0', '--candidate', '0.16.1', '--markdown', path.join(blocked, 'r.md')],
      ['bisect', 'nothing.py::f', '--from', '0.15.0', '--to', '0.16.1', '--report', path.join(blocked, 'r.html')],
    ];
    for (const argv of cases) {
      const res = await run(argv);
      expect(res.code, `${argv.join(' ')}\n${res.stderr}`).toBe(EXIT_CODES.output);
      expect(res.stderr).toMatch(/^error: cannot write the (HTML report|JUnit report|Markdown summary) to .*: .* is a file, not a folder\n/);
      expect(res.stdout).toBe('');
    }
    expect(EXIT_CODES.output).toBe(3);
  });

  it('a --report name that is not .html is bad usage, before anything else', async () => {
    const res = await run(['run', 'nothing.py', '--report', 'r.json']);
    expect(res.code).toBe(EXIT_CODES.usage);
    expect(res.stderr).toBe('error: --report: expected a file name ending in .html, got "r.json"\n');
  });

  it('a bisection whose ends agree has its own code, distinct from bad input and could-not-judge', () => {
    expect(EXIT_CODES['ends-agree']).toBe(4);
    const others = [EXIT_CODES.usage, EXIT_CODES.unjudged, EXIT_CODES.found, EXIT_CODES.leak, EXIT_CODES.cancelled, EXIT_CODES.internal];
    expect(others).not.toContain(EXIT_CODES['ends-agree']);
  });
});
