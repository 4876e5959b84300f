/**
 * Pythran versions with real Pythran: the upgrade gate on the seed pair, and
 * bisection over PyPI releases and over the commits of a small local
 * repository made from the 0.15.0 sources with the public fix of the view
 * leak (issue #2200, PR #2201) among unrelated commits. Network: PyPI only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchSdist, FIX_SUBJECT, makePythranRepo } from '../../bench/pythran-repo.mjs';
import { cli } from '../support/cli.js';

const SEED = 'repros/seed/view_leak.py';

interface GateJson {
  outcome: string;
  summary: { regressions: number; fixed: number };
  functions: Array<{ function: string; status: string; baseline: { verdict: string }; candidate: { verdict: string } }>;
}

interface BisectJson {
  outcome: string;
  direction: string | null;
  first: { version?: string; commit?: string; subject?: string } | null;
  steps: Array<{ version?: string; commit?: string; verdict: string; round: number; level?: string }>;
  message?: string;
  points: number;
  distinct: number;
}

function parse<T>(res: { stdout: string; stderr: string; code: number }): T {
  try {
    return JSON.parse(res.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${res.code}):\n${res.stdout.slice(0, 2000)}\nstderr:\n${res.stderr.slice(0, 3000)}`);
  }
}

function noStack(text: string) {
  expect(text).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
  expect(text).not.toContain('Traceback (most recent call last)');
}

describe('gate on the seed pair', () => {
  it('0.15.0 -> 0.16.1 passes and reports simpler_leak fixed, in the table, JSON, JUnit and Markdown', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gate-'));
    const junit = path.join(dir, 'gate.xml');
    const markdown = path.join(dir, 'gate.md');
    const res = await cli(['gate', SEED, '--baseline', '0.15.0', '--candidate', '0.16.1', '--json', '--junit', junit, '--markdown', markdown]);
    const report = parse<GateJson>(res);
    expect(res.code).toBe(0);
    expect(report.outcome).toBe('pass');
    const leak = report.functions.find((f) => f.function === 'simpler_leak');
    expect(leak).toMatchObject({ status: 'fixed', baseline: { verdict: 'leak' }, candidate: { verdict: 'ok' } });
    expect(report.functions.find((f) => f.function === 'simpler_no_leak')?.status).toBe('ok');
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('failures="0" errors="0"');
    expect(xml).toMatch(/name="simpler_leak"[^>]*>\s*<system-out>fixed/);
    const md = await readFile(markdown, 'utf8');
    expect(md).toContain('0.15.0 → 0.16.1: no regression');
    expect(md).toMatch(/`repros\/seed\/view_leak.py::simpler_leak` \| leak [\d.]+ B\/call \| ok \| fixed/);

    const html = path.join(dir, 'gate.html');
    const table = await cli(['gate', SEED, '--baseline', '0.15.0', '--candidate', '0.16.1', '--report', html]);
    expect(table.code).toBe(0);
    // The HTML report: both sides, and simpler_leak marked fixed.
    const page = await readFile(html, 'utf8');
    expect(page).toContain('Pythran 0.15.0');
    expect(page).toContain('Pythran 0.16.1');
    expect(page).toMatch(/simpler_leak[\s\S]*fixed/);
    expect(table.stdout).toMatch(/simpler_leak\s*\|\s*leak [\d.]+ B\/call\s*\|\s*ok\s*\|\s*fixed/);
    expect(table.stdout).toContain('gate 0.15.0 -> 0.16.1: no regression');
  });

  it('0.16.1 -> 0.15.0 fails on simpler_leak (exit 1), even though the expectations record that leak on 0.15.0', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gate-'));
    const junit = path.join(dir, 'gate.xml');
    const res = await cli(['gate', SEED, '--baseline', '0.16.1', '--candidate', '0.15.0', '--json', '--junit', junit]);
    const report = parse<GateJson>(res);
    expect(res.code).toBe(1);
    expect(report.outcome).toBe('regression');
    expect(report.functions.find((f) => f.function === 'simpler_leak')?.status).toBe('new-leak');
    expect(report.functions.find((f) => f.function === 'simpler_no_leak')?.status).toBe('ok');
    expect(report.summary.regressions).toBe(1);
    expect(await readFile(junit, 'utf8')).toMatch(/name="simpler_leak"[^>]*>\s*<failure/);
  });

  it('a function that crashes on both sides is exit 3, never a pass', async () => {
    const res = await cli(['gate', 'test/fixtures/bad/faults.py::segfault', '--baseline', '0.16.0', '--candidate', '0.16.1', '--json']);
    const report = parse<GateJson>(res);
    expect(report.outcome).toBe('unjudged');
    expect(report.functions[0]?.status).toBe('unjudged');
    expect(res.code).toBe(3);
  });

  it('an unknown candidate release is one clear message, exit 2', async () => {
    const res = await cli(['gate', SEED, '--baseline', '0.15.0', '--candidate', '0.99.0']);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Pythran 0\.99\.0 is not a release on PyPI \(the newest is [\d.]+\)/);
    noStack(res.stderr);
  });
});

describe('bisect over PyPI releases', () => {
  it("finds that 0.16.0 fixed simpler_leak between 0.14.0 and 0.16.1, judging both ends in the first round", async () => {
    const res = await cli(['bisect', `${SEED}::simpler_leak`, '--from', '0.14.0', '--to', '0.16.1', '--json']);
    const report = parse<BisectJson>(res);
    expect(res.code).toBe(0);
    expect(report).toMatchObject({ outcome: 'found', direction: 'fixed', first: { version: '0.16.0' } });
    const round1 = report.steps.filter((s) => s.round === 1).map((s) => s.version).sort();
    expect(round1).toEqual(['0.14.0', '0.16.1']);
    expect(report.steps.find((s) => s.version === '0.15.0')?.verdict).toBe('leak');
    expect(report.steps.find((s) => s.version === '0.16.0')?.verdict).toBe('ok');
  });

  it('prints the answer and the log of points tried', async () => {
    const html = path.join(await mkdtemp(path.join(os.tmpdir(), 'bisect-html-')), 'bisect.html');
    const res = await cli(['bisect', `${SEED}::simpler_leak`, '--from', '0.15.0', '--to', '0.16.1', '--report', html]);
    expect(res.code).toBe(0);
    const page = await readFile(html, 'utf8');
    for (const v of ['0.15.0', '0.16.0', '0.16.1']) expect(page).toContain(v);
    expect(res.stdout).toContain('the leak was fixed in 0.16.0');
    expect(res.stdout).toMatch(/Points tried: \d+ of 3 releases/);
    expect(res.stdout).toMatch(/1\s+0\.15\.0\s+leak/);
  });

  it('both ends agreeing is exit 4', async () => {
    const res = await cli(['bisect', `${SEED}::simpler_no_leak`, '--from', '0.15.0', '--to', '0.16.1', '--json']);
    expect(res.code).toBe(4);
    expect(parse<BisectJson>(res)).toMatchObject({ outcome: 'ends-agree', direction: null, first: null });
  });

  it('refuses bad input with one clear line, exit 2, before installing anything', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--from', '0.16.1', '--to', '0.14.0'], /--from 0\.16\.1 comes after --to 0\.14\.0/],
      [['--from', '0.14.0', '--to', '0.99.0'], /Pythran 0\.99\.0 is not a release on PyPI/],
      [['--from', 'v0.14', '--to', '0.16.1'], /--from 'v0\.14' is not a Pythran version number/],
    ];
    for (const [range, message] of cases) {
      const res = await cli(['bisect', `${SEED}::simpler_leak`, ...range]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(message);
      noStack(res.stderr);
    }
    const notExported = await cli(['bisect', `${SEED}::nope`, '--from', '0.14.0', '--to', '0.16.1']);
    expect(notExported.code).toBe(2);
    expect(notExported.stderr).toContain("does not export 'nope' (it exports simpler_leak, simpler_no_leak)");
    const noFunction = await cli(['bisect', SEED, '--from', '0.14.0', '--to', '0.16.1']);
    expect(noFunction.code).toBe(2);
    expect(noFunction.stderr).toContain('bisect needs one function: file.py::function');
    const notRepo = await cli(['bisect', `${SEED}::simpler_leak`, '--repo', os.tmpdir(), '--from', 'a', '--to', 'b']);
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toContain('not a git repository');
    noStack(notRepo.stderr);
  });
});

describe('bisect over the commits of a checkout (no network beyond PyPI)', () => {
  let repo: ReturnType<typeof makePythranRepo>;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pythran-repo-'));
    const sdist = fetchSdist('0.15.0', path.join(dir, 'sdist'));
    // Docs, tests, Python and header changes around the fix, as in a real history.
    repo = makePythranRepo({
      dest: path.join(dir, 'pythran'),
      sdist,
      plan: ['docs', 'frontend', 'tests', 'header', 'frontend', 'fix', 'docs', 'header', 'tests', 'frontend'],
    });
  });

  it('names the commit with the one-line fix, direction fixed', async () => {
    const res = await cli(['bisect', `${SEED}::simpler_leak`, '--repo', repo.repo, '--from', repo.base, '--to', 'main', '--json']);
    const report = parse<BisectJson>(res);
    expect(res.code, res.stderr).toBe(0);
    expect(report.outcome).toBe('found');
    expect(report.direction).toBe('fixed');
    expect(report.first).toEqual({ commit: repo.fix, subject: FIX_SUBJECT });
    expect(report.points).toBe(11);
    // docs and tests commits leave Pythran as it was: merged into the commit before them.
    expect(report.distinct).toBeLessThan(report.points);
    // The answer is judged in full: at level end (when it is --to) or again at level boundary after its probe.
    const fixSteps = report.steps.filter((s) => s.commit === repo.fix);
    expect(fixSteps.length).toBeGreaterThan(0);
    expect(fixSteps.every((s) => s.verdict === 'ok')).toBe(true);
    expect(fixSteps.some((s) => s.level === 'boundary' || s.level === 'end')).toBe(true);
  });

  it('prints the commit and its subject', async () => {
    const res = await cli(['bisect', `${SEED}::simpler_leak`, '--repo', repo.repo, '--from', repo.base, '--to', 'main']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`the leak was fixed in ${repo.fix?.slice(0, 12)} ${FIX_SUBJECT}`);
    expect(res.stdout).toContain(`first fixed commit: ${repo.fix}`);
  });

  it('skips a commit that does not build, as git bisect run does with 125', async () => {
    // A commit that breaks the headers, fixed again by the next one: the search must step around it.
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo.repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' }).trim();
    const header = path.join(repo.repo, 'pythran', 'pythonic', 'include', 'types', 'ndarray.hpp');
    const original = await readFile(header, 'utf8');
    const { writeFileSync } = await import('node:fs');
    git('checkout', '-q', '-b', 'broken', repo.base);
    writeFileSync(header, `${original}\n#error this commit does not build\n`);
    git('commit', '-qam', 'Break the build');
    const broken = git('rev-parse', 'HEAD');
    writeFileSync(header, original);
    git('commit', '-qam', 'Unbreak the build');
    git('cherry-pick', repo.fix as string);
    const res = await cli(['bisect', `${SEED}::simpler_leak`, '--repo', repo.repo, '--from', repo.base, '--to', 'broken', '--json']);
    const report = parse<BisectJson>(res);
    expect(res.code, res.stderr).toBe(0);
    expect(report.first?.subject).toBe(FIX_SUBJECT);
    // The broken commit is skipped, or its probe stopped once the commit after it was judged
    // (which leaves it outside the range still open); either way it never hides the answer.
    const brokenStep = report.steps.find((s) => s.commit === broken);
    if (brokenStep !== undefined) expect(brokenStep.verdict).toBe('skip');
    else expect(report.message).toMatch(/probe\(s\) stopped before their verdict/);
    git('checkout', '-q', 'main');
  });

  it('refuses --from after --to and revisions that do not exist, exit 2', async () => {
    const swapped = await cli(['bisect', `${SEED}::simpler_leak`, '--repo', repo.repo, '--from', 'main', '--to', repo.base]);
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toMatch(/--from [0-9a-f]{12} comes after --to [0-9a-f]{12}: swap them/);
    const missing = await cli(['bisect', `${SEED}::simpler_leak`, '--repo', repo.repo, '--from', 'v9.9', '--to', 'main']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--from 'v9.9' names no commit");
    noStack(missing.stderr);
  });
});

describe('env', () => {
  it('lists the dependency-set environments and the Pythran trees the tests made', async () => {
    const res = await cli(['env', 'list', '--json']);
    expect(res.code).toBe(0);
    const list = JSON.parse(res.stdout) as { entries: Array<{ kind: string; detail: string }> };
    expect(list.entries.some((e) => e.kind === 'deps' && e.detail.includes('numpy 1.26'))).toBe(true);
    expect(list.entries.some((e) => e.kind === 'release' && e.detail.includes('Pythran 0.16.1'))).toBe(true);
    expect(list.entries.some((e) => e.kind === 'commit' && e.detail.includes(FIX_SUBJECT))).toBe(true);
  });

  it('install is quick for a release whose dependency set exists; prune --dry-run lists without removing', async () => {
    const res = await cli(['env', 'install', '0.16.0', '--json']);
    expect(res.code).toBe(0);
    expect((JSON.parse(res.stdout) as Array<{ pythran: { version: string } }>)[0]?.pythran.version).toBe('0.16.0');
    const dry = await cli(['env', 'prune', '--all', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect((JSON.parse(dry.stdout) as { removed: unknown[] }).removed.length).toBeGreaterThan(0);
    const again = await cli(['env', 'list', '--json']);
    expect((JSON.parse(again.stdout) as { entries: Array<{ kind: string }> }).entries.some((e) => e.kind === 'release')).toBe(true);
  });
});
