/**
 * The bisection of one function over Pythran releases (from PyPI) or the
 * first-parent commits of a checkout: the points, their environments and
 * builds, the cheap probes and the full verdicts at the ends and the
 * boundary (the search itself is core/bisect.ts). The measuring goes through
 * the pipeline's ports; `bisect` (commands/bisect.ts) gives it the real ones.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { bisect, type JudgeRequest } from '../core/bisect.js';
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
import { parseCallText, type WrittenCall } from '../core/calls.js';
import { planModule } from '../core/overloads.js';
import { errorResult, resultFromMeasurement } from '../core/results.js';
import { parseExports } from '../core/signature.js';
import { keepExports } from '../core/trim-exports.js';
import { CancelledError, InputError, isKnownError, UsageError } from '../errors.js';
import type { Result } from '../core/report.js';
import { buildModule } from '../io/build.js';
import { openCache, sha256, writeFileAtomic, type CacheLayout } from '../io/cache.js';
import type { BuiltModule } from '../io/build.js';
import { firstParentRange, openRepo, resolveCommit, sourceLayout, type CommitInfo } from '../io/git.js';
import { ensureCommitEnv, ensureReleaseEnv } from '../io/managed/environments.js';
import { pypiReleases } from '../io/managed/release-trees.js';
import { probeBase, type EnvContext } from '../io/managed/shared.js';
import type { PythonEnv } from '../io/probe.js';
import { resolveFunctionTarget, type Repro } from '../io/targets.js';
import { silentProgress } from '../progress.js';
import { TOOL_VERSION } from '../version.js';
import type { BisectOptions } from '../options.js';
import type { PipelineContext } from './ports.js';
import { measureFunction } from './measure.js';
import { configuredEnv, runRepros } from './run.js';


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

/**
 * The repro as each point builds it: only `fn`'s export lines kept (core/trim-exports.ts),
 * written once into the cache under a name made of its content, with the user's file name
 * (the module's name comes from it).
 */
async function trimmedRepro(repro: Repro, fn: string, cache: CacheLayout): Promise<Repro> {
  const name = fn.replace(/[#(].*$/, '').trim();
  const source = keepExports(repro.source, [name]);
  if (source === repro.source) return repro;
  const dir = path.join(cache.root, 'bisect-repros', sha256(source).slice(0, 16));
  const file = path.join(dir, path.basename(repro.absolute));
  if ((await readFile(file, 'utf8').catch(() => null)) !== source) {
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(file, source);
  }
  return { ...repro, absolute: file, source };
}

function describePoint(p: Point): string {
  return 'version' in p ? p.version : `${p.commit.slice(0, 12)} ${p.subject}`;
}

/** `bisect`: one function's first changing point between two releases or commits. */
export async function bisectTarget(target: string, opts: BisectOptions, ctx: PipelineContext): Promise<BisectReport> {
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

  // Each point builds only the bisected function: the other export lines are left out of the
  // copy that is built (the code stays, so helpers are there), which keeps every build small.
  const built0 = await trimmedRepro(repro, fn, cache);
  const runOpts = { ...opts, python: undefined, pythran: undefined, jobs: 1, diagnose: false };
  const cli: WrittenCall[] = opts.call.flatMap((text) => {
    const parsed = parseCallText(text);
    return parsed === null ? [] : [{ ...parsed, origin: '--call' as const }];
  });
  /** The results of the ends: the signals that decided them tell a probe which phase to measure. */
  const endResults: Result[] = [];
  /**
   * A probe's measurement: the function's plain phase only (one process, no confirmation,
   * no traced phase) when the leaking end was decided there, both phases otherwise; the
   * verdict of the first measurement, which the ends' full verdicts bracket.
   */
  const cheapResult = async (env: PythonEnv, built: BuiltModule, signal: AbortSignal): Promise<Result> => {
    const leakEnd = endResults.find((r) => r.verdict === 'leak');
    const plainDecides = leakEnd !== undefined && Object.entries(leakEnd.signals).some(([name, s]) => s.decisive && s.state === 'leak' && name !== 'python');
    const planned = planModule(parseExports(built0.source), built0.source, { fileLabel: repro.display, moduleName: built.moduleName, cli });
    const chosen = planned.overloads.filter((o) => o.overload.sig.name === fn || `${o.overload.sig.name}#${o.overload.index}` === fn);
    const configured = configuredEnv(env, opts);
    const build = { cached: built.cached, seconds: built.seconds };
    let last: Result | null = null;
    for (const { overload, plan, error } of chosen) {
      const rctx = { file: repro.display, function: overload.sig.name, overload: overload.count > 1 ? overload.signature : null, call: null, build };
      if (plan === null) return errorResult(rctx, 'InputError', error ?? `no way to call ${overload.sig.name}`);
      const m = await measureFunction(
        configured,
        built,
        overload.sig.name,
        plan.plan,
        { budget: opts.budget, timeout: opts.timeout, threshold: opts.threshold, warmupSeconds: opts.warmup, phases: plainDecides ? ['plain'] : undefined },
        { signal, ports: ctx.ports },
      );
      last = resultFromMeasurement({ ...rctx, call: { origin: plan.origin, args: [] } }, m, opts.timeout);
      if (last.verdict === 'leak') return last;
    }
    if (last === null) throw new Error(`no overload of ${fn} to measure`);
    return last;
  };
  // Builds are deterministic: a point whose module is byte for byte one already measured (same
  // interpreter and numpy) gets that verdict without measuring again; a full verdict serves any
  // level, a probe's only probes.
  interface Measured {
    label: string;
    measured: Promise<Result>;
    signal: AbortSignal;
  }
  const byBinary = new Map<string, Partial<Record<'full' | 'cheap', Measured>>>();
  const judge = async (index: number, req: JudgeRequest): Promise<PointJudgement> => {
    const p = points[index] as Candidate;
    const signal = AbortSignal.any([ctx.signal, req.signal]);
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
    const tEnv = seconds();
    let built;
    try {
      built = await buildModule(built0.absolute, env, { cache, signal, timeoutMs: opts.buildTimeout * 1000, display: repro.display });
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
    const tBuild = seconds();
    const binary = sha256(Buffer.concat([await readFile(built.modulePath), Buffer.from(`\n${env.python}\n${env.probe.numpy ?? ''}`)]));
    const wanted: 'full' | 'cheap' = req.level === 'probe' ? 'cheap' : 'full';
    const known = byBinary.get(binary) ?? {};
    byBinary.set(binary, known);
    // A measurement stopped by a cancel says nothing: measure again.
    const usable = (e: Measured | undefined): Measured | undefined => (e !== undefined && !e.signal.aborted ? e : undefined);
    const prior = usable(known.full) ?? (wanted === 'cheap' ? usable(known.cheap) : undefined);
    let sameBinaryAs: string | null = null;
    let result: Result | null = null;
    if (prior !== undefined) {
      const r = await prior.measured;
      if (!prior.signal.aborted) {
        sameBinaryAs = prior.label;
        result = { ...r, build: { cached: built.cached, seconds: built.seconds } };
      }
    }
    if (result === null) {
      const measured =
        wanted === 'cheap'
          ? cheapResult(env, built, signal)
          : // runRepros finds the module in the build cache and measures it as `run` does; a boundary
            // point gets the whole diagnosis (uncompiled control, scaled run).
            runRepros([{ ...built0, only: [fn] }], env, cache, { ...runOpts, diagnose: req.level === 'boundary' }, { ...ctx, signal, progress: silentProgress }).then((results) => {
              // `f` names every overload of f: a point leaks when any of them does (`f#2` picks one).
              const r = results.find((x) => x.verdict === 'leak') ?? results[0];
              if (r === undefined) throw new Error(`no result for ${fn}`);
              return { ...r, build: { cached: built.cached, seconds: built.seconds } };
            });
      known[wanted] = { label: p.label, measured, signal };
      measured.catch(() => undefined);
      result = await measured;
    }
    if (req.level === 'end') endResults.push(result);
    const j: PointJudgement = { ...judgementOf(result), result, seconds: seconds(), pythran: `${env.pythran.version}${commit}`, numpy: env.probe.numpy, sameBinaryAs, level: req.level };
    if (process.env.PYTHRAN_LEAKCHECK_TIMING !== undefined) ctx.progress.note(`  ${p.label}: env ${tEnv.toFixed(2)} s, build ${(tBuild - tEnv).toFixed(2)} s, measure ${(j.seconds - tBuild).toFixed(2)} s`);
    if (signal.aborted) return j;
    const size = result.verdict === 'leak' ? ` ${Math.round(leakSize(result) ?? 0)} B/call` : '';
    const same = sameBinaryAs !== null ? `, same module as ${sameBinaryAs}` : '';
    const how = req.level === 'probe' ? ' (probe)' : req.level === 'boundary' ? ' (boundary, full verdict)' : '';
    ctx.progress.note(`  ${p.label}: ${j.state}${size}${same}${how}${j.state === 'skip' || j.state === 'unjudged' ? ` (${j.reason ?? ''})` : ''} [${j.seconds.toFixed(1)} s]`);
    return j;
  };

  let outcome;
  if (points.length === 1) {
    // Every commit in the range has the same Pythran sources.
    const j = await judge(0, { level: 'end', signal: ctx.signal });
    const step = { index: 0, round: 1, judgement: j };
    outcome = j.state === 'leak' || j.state === 'ok'
      ? { kind: 'ends-agree' as const, state: j.state, steps: [step], rounds: 1, cancelled: [] }
      : { kind: 'unjudged' as const, reason: `the range could not be judged: ${j.reason ?? j.state}`, direction: null, candidates: [], steps: [step], rounds: 1, cancelled: [] };
  } else {
    outcome = await bisect(points.length, judge, { parallel: opts.jobs, confirmBoundary: true });
  }
  if (outcome.cancelled.length > 0) {
    notes.push(`${outcome.cancelled.length} probe(s) stopped before their verdict, which another point's had made pointless: ${outcome.cancelled.map((i) => (points[i] as Candidate).label).join(', ')}`);
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
      level: s.judgement.level ?? 'end',
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
