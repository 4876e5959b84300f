/**
 * `pythran-leakcheck bisect file.py::function --from A --to B [--repo PATH]`:
 * find the first Pythran release (from PyPI) or first-parent commit (of a
 * checkout) that introduced or fixed a leak.
 */
import { readFile } from 'node:fs/promises';
import pLimit from 'p-limit';
import { bisect } from '../core/bisect.js';
import {
  BISECT_SCHEMA_VERSION,
  BisectReportSchema,
  judgementOf,
  type BisectReport,
  type BisectStepReport,
  type Point,
  type PointJudgement,
} from '../core/bisect-report.js';
import { compareVersions, checkPythonSupported, isValidVersion } from '../core/compat.js';
import { leakSize } from '../core/gate.js';
import { CancelledError, InputError, isKnownError, UsageError } from '../errors.js';
import type { Result } from '../core/report.js';
import { buildModule } from '../io/build.js';
import { openCache, sha256, type CacheLayout } from '../io/cache.js';
import { firstParentRange, openRepo, resolveCommit, sourceLayout, type CommitInfo } from '../io/git.js';
import { ensureCommitEnv, ensureReleaseEnv } from '../io/managed/environments.js';
import { pypiReleases } from '../io/managed/release-trees.js';
import { probeBase, type EnvContext } from '../io/managed/shared.js';
import type { PythonEnv } from '../io/probe.js';
import { resolveFunctionTarget } from '../io/targets.js';
import { silentProgress } from '../progress.js';
import { TOOL_VERSION } from '../version.js';
import type { BisectOptions } from '../options.js';
import type { CommandContext, PipelineContext } from '../pipeline/ports.js';
import { runRepros } from '../pipeline/run.js';
import { withRealPorts } from '../io/ports.js';

export { BisectOptionsSchema, type BisectOptions } from '../options.js';

interface Candidate {
  point: Point;
  label: string;
  env: () => Promise<PythonEnv>;
  /** Commits merged into this point because their Pythran sources are identical to it. */
  same: number;
}

async function releasePoints(opts: BisectOptions, envCtx: EnvContext, notes: string[]): Promise<Candidate[]> {
  for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
    if (!isValidVersion(v)) throw new InputError(`${name} '${v}' is not a Pythran version number.`, { hint: 'give releases such as 0.14.0 and 0.16.1, or a checkout with --repo' });
  }
  const order = compareVersions(opts.from, opts.to);
  if (order === 0) throw new UsageError(`--from and --to are both ${opts.from}: there is nothing to bisect.`);
  if (order > 0) throw new UsageError(`--from ${opts.from} comes after --to ${opts.to}: give the older release first.`);
  const releases = await pypiReleases(envCtx);
  for (const [name, v] of [['--from', opts.from], ['--to', opts.to]] as const) {
    if (!releases.some((r) => compareVersions(r, v) === 0)) {
      throw new InputError(`${name} ${v}: Pythran ${v} is not a release on PyPI (the newest is ${releases.at(-1) ?? 'unknown'}).`, {
        hint: 'pick releases from https://pypi.org/project/pythran/#history',
      });
    }
  }
  const base = await probeBase(envCtx);
  const points: Candidate[] = [];
  for (const version of releases.filter((r) => compareVersions(r, opts.from) >= 0 && compareVersions(r, opts.to) <= 0)) {
    const unsupported = checkPythonSupported(version, base.python);
    if (unsupported !== null) {
      if (version === opts.from || version === opts.to) throw new InputError(unsupported);
      notes.push(`left out ${version}: ${unsupported}`);
      continue;
    }
    points.push({ point: { version }, label: version, env: () => ensureReleaseEnv(version, envCtx), same: 0 });
  }
  return points;
}

async function commitPoints(opts: BisectOptions & { repo: string }, envCtx: EnvContext, notes: string[]): Promise<{ points: Candidate[]; total: number; to: Point }> {
  const repo = await openRepo(opts.repo, envCtx.signal);
  const from = await resolveCommit(repo, opts.from, '--from', envCtx.signal);
  const to = await resolveCommit(repo, opts.to, '--to', envCtx.signal);
  const commits = await firstParentRange(repo, from, to, envCtx.signal);
  // Neighbours with identical Pythran sources (only docs, tests or CI changed) give identical
  // builds: judge the first of each run only.
  const limit = pLimit(4);
  const layouts = await Promise.all(commits.map((c) => limit(() => sourceLayout(repo, c.commit, envCtx.signal))));
  const points: Candidate[] = [];
  let previous: string | null = null;
  commits.forEach((c: CommitInfo, i) => {
    const id = layouts[i]?.contentId ?? c.commit;
    if (id === previous && points.length > 0) {
      (points[points.length - 1] as Candidate).same += 1;
      return;
    }
    previous = id;
    points.push({ point: { commit: c.commit, subject: c.subject }, label: c.commit.slice(0, 12), env: () => ensureCommitEnv(repo, c, envCtx), same: 0 });
  });
  const merged = commits.length - points.length;
  if (merged > 0) notes.push(`${merged} of ${commits.length} commits leave pythran/ and omp/ as their parent had them (docs, tests, CI): each is judged with the commit before it`);
  const last = commits[commits.length - 1] as CommitInfo;
  return { points, total: commits.length, to: { commit: last.commit, subject: last.subject } };
}

function describePoint(p: Point): string {
  return 'version' in p ? p.version : `${p.commit.slice(0, 12)} ${p.subject}`;
}

export async function bisectCommand(target: string, opts: BisectOptions, ctx: CommandContext): Promise<BisectReport> {
  return withRealPorts(opts.startMethod, ctx.signal, (ports) => bisectWith(target, opts, { ...ctx, ports }));
}

async function bisectWith(target: string, opts: BisectOptions, ctx: PipelineContext): Promise<BisectReport> {
  const started = performance.now();
  const { repro, fn } = await resolveFunctionTarget(target, ctx.cwd, 'bisect');
  const cache: CacheLayout = await openCache(opts.cacheDir);
  const envCtx: EnvContext = { cache, signal: ctx.signal, progress: ctx.progress };
  const notes: string[] = [];
  const mode = opts.repo === undefined ? 'releases' : 'commits';
  let points: Candidate[];
  let total: number;
  let toPoint: Point;
  if (opts.repo === undefined) {
    points = await releasePoints(opts, envCtx, notes);
    total = points.length;
    toPoint = (points[points.length - 1] as Candidate).point;
  } else {
    ({ points, total, to: toPoint } = await commitPoints({ ...opts, repo: opts.repo }, envCtx, notes));
  }
  for (const n of notes) ctx.progress.note(n);
  const firstPoint = points[0] as Candidate;
  ctx.progress.note(`Bisecting ${repro.display}::${fn} over ${total} ${mode} (${points.length} distinct), ${opts.jobs} at a time...`);

  const runOpts = { ...opts, python: undefined, pythran: undefined, jobs: 1, diagnose: false };
  // Builds are deterministic: a point whose module is byte for byte one already measured (same
  // interpreter and numpy) gets that verdict without measuring again.
  const byBinary = new Map<string, { label: string; measured: Promise<Result> }>();
  const judge = async (index: number): Promise<PointJudgement> => {
    const p = points[index] as Candidate;
    const t0 = performance.now();
    const seconds = () => (performance.now() - t0) / 1000;
    let env: PythonEnv;
    try {
      env = await p.env();
    } catch (error) {
      if (error instanceof CancelledError || !isKnownError(error)) throw error;
      const j: PointJudgement = {
        state: 'skip',
        reason: `cannot be used: ${error.message.split('\n')[0]}`,
        result: null,
        seconds: seconds(),
        pythran: null,
        numpy: null,
        sameBinaryAs: null,
      };
      ctx.progress.note(`  ${p.label}: skip (${j.reason})`);
      return j;
    }
    const commit = env.pythran.commit !== null ? ` (${env.pythran.commit.slice(0, 12)})` : '';
    let built;
    try {
      built = await buildModule(repro.absolute, env, { cache, signal: ctx.signal, timeoutMs: opts.buildTimeout * 1000, display: repro.display });
    } catch (error) {
      if (error instanceof CancelledError || !isKnownError(error)) throw error;
      const j: PointJudgement = {
        state: 'skip',
        reason: `does not build: ${error.message.split('\n').slice(0, 2).join(' ')}`,
        result: null,
        seconds: seconds(),
        pythran: `${env.pythran.version}${commit}`,
        numpy: env.probe.numpy,
        sameBinaryAs: null,
      };
      ctx.progress.note(`  ${p.label}: skip (${j.reason}) [${j.seconds.toFixed(1)} s]`);
      return j;
    }
    const binary = sha256(Buffer.concat([await readFile(built.modulePath), Buffer.from(`\n${env.python}\n${env.probe.numpy ?? ''}`)]));
    const prior = byBinary.get(binary);
    let sameBinaryAs: string | null = null;
    let result: Result;
    if (prior !== undefined) {
      sameBinaryAs = prior.label;
      result = { ...(await prior.measured), build: { cached: built.cached, seconds: built.seconds } };
    } else {
      // runRepros finds the module in the build cache and measures it as `run` does.
      const measured = runRepros([{ ...repro, only: [fn] }], env, cache, runOpts, { ...ctx, progress: silentProgress }).then((results) => {
        // `f` names every overload of f: a point leaks when any of them does (`f#2` picks one).
        const r = results.find((x) => x.verdict === 'leak') ?? results[0];
        if (r === undefined) throw new Error(`no result for ${fn}`);
        return { ...r, build: { cached: built.cached, seconds: built.seconds } };
      });
      byBinary.set(binary, { label: p.label, measured });
      result = await measured;
    }
    const j: PointJudgement = { ...judgementOf(result), result, seconds: seconds(), pythran: `${env.pythran.version}${commit}`, numpy: env.probe.numpy, sameBinaryAs };
    const size = result.verdict === 'leak' ? ` ${Math.round(leakSize(result) ?? 0)} B/call` : '';
    const same = sameBinaryAs !== null ? `, same module as ${sameBinaryAs}` : '';
    ctx.progress.note(`  ${p.label}: ${j.state}${size}${same}${j.state === 'skip' || j.state === 'unjudged' ? ` (${j.reason ?? ''})` : ''} [${j.seconds.toFixed(1)} s]`);
    return j;
  };

  let outcome;
  if (points.length === 1) {
    // Every commit in the range has the same Pythran sources.
    const j = await judge(0);
    const step = { index: 0, round: 1, judgement: j };
    outcome = j.state === 'leak' || j.state === 'ok'
      ? { kind: 'ends-agree' as const, state: j.state, steps: [step], rounds: 1 }
      : { kind: 'unjudged' as const, reason: `the range could not be judged: ${j.reason ?? j.state}`, direction: null, candidates: [], steps: [step], rounds: 1 };
  } else {
    outcome = await bisect(points.length, judge, { parallel: opts.jobs });
  }

  const steps: BisectStepReport[] = outcome.steps.map((s) => {
    const p = points[s.index] as Candidate;
    const r = s.judgement.result;
    return {
      ...p.point,
      round: s.round,
      verdict: s.judgement.state,
      kind: r?.kind ?? null,
      bytesPerCall: r !== null && r.verdict === 'leak' ? leakSize(r) : null,
      pythran: s.judgement.pythran,
      numpy: s.judgement.numpy,
      cachedBuild: r?.build?.cached ?? null,
      sameBinaryAs: s.judgement.sameBinaryAs,
      seconds: s.judgement.seconds,
      reason: s.judgement.state === 'skip' || s.judgement.state === 'unjudged' ? s.judgement.reason : null,
    };
  });
  const name = `${repro.display}::${fn}`;
  let message: string;
  let first: Point | null = null;
  let direction: BisectReport['direction'] = null;
  let candidates: Point[] = [];
  let endsVerdict: BisectReport['endsVerdict'] = null;
  const what = mode === 'releases' ? 'release' : 'commit';
  switch (outcome.kind) {
    case 'found': {
      const p = points[outcome.first] as Candidate;
      const before = points[outcome.first - 1] as Candidate;
      first = p.point;
      direction = outcome.direction;
      message = outcome.direction === 'fixed'
        ? `${name}: the leak was fixed in ${describePoint(p.point)} (the first ${what} where it is ok; ${describePoint(before.point)} before it leaks)`
        : `${name}: the leak was introduced in ${describePoint(p.point)} (the first ${what} where it leaks; ${describePoint(before.point)} before it is ok)`;
      break;
    }
    case 'ends-agree':
      endsVerdict = outcome.state;
      message = `${name}: ${outcome.state === 'leak' ? 'leaks' : 'is ok'} on both ends (${describePoint(firstPoint.point)} and ${describePoint(toPoint)}): nothing to bisect`;
      break;
    default:
      direction = outcome.direction;
      candidates = outcome.candidates.map((i) => (points[i] as Candidate).point);
      message = `${name}: could not judge: ${outcome.reason}${candidates.length > 0 ? `: ${candidates.map(describePoint).join(', ')}` : ''}`;
  }
  return BisectReportSchema.parse({
    schemaVersion: BISECT_SCHEMA_VERSION,
    tool: { name: 'pythran-leakcheck', version: TOOL_VERSION },
    command: 'bisect',
    target: name,
    mode,
    from: firstPoint.point,
    to: toPoint,
    outcome: outcome.kind,
    direction,
    first,
    candidates,
    endsVerdict,
    points: total,
    distinct: points.length,
    rounds: outcome.rounds,
    seconds: (performance.now() - started) / 1000,
    message: notes.length > 0 ? `${message}\n${notes.map((n) => `note: ${n}`).join('\n')}` : message,
    steps,
  });
}
