/**
 * The tool on its worst day, with real Pythran: user code that prints, a
 * corrupt cache entry, no C++ compiler, an unwritable cache, Ctrl-C, two runs
 * building the same repro at once, and a sharded run merged back together.
 */
import { execa } from 'execa';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, byFunction, cli, cliJson, ROOT, TEST_CACHE } from '../support/cli.js';

const V = ['--pythran', '0.16.1'];

/** A copy of a repro with a unique comment, so that it must be built afresh. */
function freshCopy(src: string, dir: string, name: string): string {
  const out = path.join(dir, name);
  writeFileSync(out, `${readFileSync(path.join(ROOT, src), 'utf8')}\n# ${Date.now()} ${Math.random()}\n`);
  return out;
}

function findFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...findFiles(p, suffix));
    else if (e.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

describe('robustness', () => {
  it("keeps --json clean when the user's code prints on every call", async () => {
    const { code, report, stdout } = await cliJson(['run', 'test/fixtures/bad/noisy.py', ...V]);
    expect(stdout.trim().startsWith('{')).toBe(true);
    expect(byFunction(report, 'noisy').verdict).toBe('ok');
    expect(code).toBe(0);
  });

  it('rebuilds a cache entry whose module was corrupted', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lc-corrupt-'));
    const file = freshCopy('repros/seed/view_leak.py', dir, 'corrupt.py');
    const first = await cliJson(['run', `${file}::simpler_no_leak`, ...V]);
    expect(first.report.results[0]?.build?.cached).toBe(false);
    const records = findFiles(path.join(TEST_CACHE, 'builds'), 'build.json').filter((f) => readFileSync(f, 'utf8').includes(file));
    expect(records).toHaveLength(1);
    const [so] = findFiles(path.dirname(records[0] as string), '.so');
    writeFileSync(so as string, 'not an ELF file');
    const second = await cliJson(['run', `${file}::simpler_no_leak`, ...V]);
    expect(second.report.results[0]?.build?.cached).toBe(false);
    expect(second.report.results[0]?.verdict).toBe('ok');
  });

  it('says plainly that no C++ compiler is there (exit 3)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lc-nocxx-'));
    const file = freshCopy('repros/seed/view_leak.py', dir, 'view_leak.py');
    const { code, report, stderr } = await cliJson(['run', file, ...V], { env: { CXX: '/nonexistent/c++' } });
    expect(code).toBe(3);
    expect(report.results[0]).toMatchObject({ verdict: 'error', errorType: 'BuildError' });
    expect(report.results[0]?.message).toContain('no C++ compiler');
    expect(stderr).not.toContain('Traceback');
  });

  it('refuses an unwritable cache folder with exit 3 and a hint', async () => {
    const { code, stderr, stdout } = await cli(['run', 'repros/seed/view_leak.py', ...V, '--cache-dir', '/proc/leakcheck-cache']);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain('cannot use the cache folder /proc/leakcheck-cache');
    expect(stderr).toContain('hint:');
  });

  it('stops on Ctrl-C: exit 130, finished results printed, no harness left running, no temporary files', async () => {
    // Every process the run starts inherits this marker: none may outlive it.
    const marker = `ctrl-c-${process.pid}-${Date.now()}`;
    const child = execa('node', [BIN, 'run', 'repros', ...V, '--json', '--jobs', '1'], {
      cwd: ROOT,
      env: { PYTHRAN_LEAKCHECK_CACHE: TEST_CACHE, NO_COLOR: '1', LEAKCHECK_TEST_MARKER: marker },
      reject: false,
    });
    const pid = child.pid;
    await new Promise((r) => setTimeout(r, 6000));
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode).toBe(130);
    const report = JSON.parse(String(res.stdout)) as { results: Array<{ verdict: string; errorType: string | null }> };
    expect(report.results.some((r) => r.errorType === 'CancelledError')).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const survivors = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          return readFileSync(`/proc/${d}/environ`, 'latin1').includes(marker);
        } catch {
          return false;
        }
      });
    expect(survivors).toEqual([]);
    const leftovers = readdirSync(path.join(TEST_CACHE, "tmp")).filter((f) => f.includes(`-${pid}-`));
    expect(leftovers).toEqual([]);
  });

  it('two runs building the same new repro at once both succeed, and build it once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lc-race-'));
    const file = freshCopy('repros/seed/view_leak.py', dir, 'race.py');
    const args = ['run', `${file}::simpler_no_leak`, ...V];
    const [a, b] = await Promise.all([cliJson(args), cliJson(args)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const built = [a, b].map((r) => r.report.results[0]?.build?.cached);
    expect(built.filter((c) => c === false)).toHaveLength(1);
  });

  it('splits a run into shards that merge back into the whole', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lc-shard-'));
    const files: string[] = [];
    for (const i of [1, 2, 3]) {
      const { report } = await cliJson(['run', 'repros/seed', 'test/fixtures/bad/raises.py', ...V, '--shard', `${i}/3`]);
      const f = path.join(dir, `shard${i}.json`);
      writeFileSync(f, JSON.stringify(report));
      files.push(f);
    }
    const merged = await cliJson(['merge', ...files]);
    expect(merged.report.results.map((r) => r.function).sort()).toEqual(['fine', 'raises', 'simpler_leak', 'simpler_no_leak']);
    expect(merged.code).toBe(3); // 'raises' raises: could not judge
    const bad = path.join(dir, 'bad.json');
    copyFileSync(path.join(ROOT, 'package.json'), bad);
    const refused = await cli(['merge', files[0] as string, bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is not a pythran-leakcheck report');
  });
});
