/**
 * The upgrade gate: every repro on the baseline and the candidate Pythran,
 * side by side, compared function by function against the tolerance and the
 * known leaks of expectations.json. `gate` (commands/gate.ts) gives it the
 * real ports.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareVersions, isValidVersion } from '../core/compat.js';
import { ExpectationsFile, leaksOn } from '../core/expectations.js';
import { compareRuns, GATE_SCHEMA_VERSION, gateOutcome, GateReportSchema, summarize, type GateReport } from '../core/gate.js';
import type { Result } from '../core/report.js';
import { errorResult } from '../core/results.js';
import { InputError, UsageError } from '../errors.js';
import { openCache, type CacheLayout } from '../io/cache.js';
import { commitInfo, openRepo, resolveCommit } from '../io/git.js';
import { ensureCommitEnv, ensureReleaseEnv } from '../io/managed/environments.js';
import type { PythonEnv } from '../io/probe.js';
import { displayPath, resolveTargets, type Repro } from '../io/targets.js';
import { TOOL_VERSION } from '../version.js';
import type { GateOptions } from '../options.js';
import type { PipelineContext } from './ports.js';
import { environmentReport, runRepros } from './run.js';


/** A release, or with --repo a revision of the checkout, as a managed environment. */
export async function environmentFor(spec: string, repo: string | undefined, option: string, cache: CacheLayout, ctx: Pick<PipelineContext, 'signal' | 'progress'>): Promise<PythonEnv> {
  const envCtx = { cache, signal: ctx.signal, progress: ctx.progress };
  if (repo === undefined) return ensureReleaseEnv(spec, envCtx);
  const top = await openRepo(repo, ctx.signal);
  const commit = await resolveCommit(top, spec, option, ctx.signal);
  return ensureCommitEnv(top, await commitInfo(top, commit, ctx.signal), envCtx);
}

/** The expectations file that applies to a repro: `expectations.json` in its folder or the nearest folder above. */
async function findExpectations(file: string): Promise<string | null> {
  let dir = path.dirname(file);
  for (;;) {
    const candidate = path.join(dir, 'expectations.json');
    if ((await stat(candidate).catch(() => null))?.isFile() === true) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * Keys (`file::function` as the results show them) of the leaks the
 * expectations record on the candidate. A leak whose recorded range ends
 * before the baseline is not excused: going back to it undoes a fix the
 * baseline has.
 */
export async function knownLeaks(
  repros: readonly Repro[],
  explicit: string | undefined,
  versions: { baseline: string; candidate: string },
  cwd: string,
): Promise<Set<string>> {
  const files = new Set<string>();
  if (explicit !== undefined) files.add(path.resolve(cwd, explicit));
  else for (const r of repros) {
    const f = await findExpectations(r.absolute);
    if (f !== null) files.add(f);
  }
  const known = new Set<string>();
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) throw new InputError(`cannot read the expectations file ${displayPath(file, cwd)}.`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new InputError(`${displayPath(file, cwd)} is not JSON.`);
    }
    const parsed = ExpectationsFile.safeParse(json);
    if (!parsed.success) {
      // A file of that name that is not ours is ignored unless it was named explicitly.
      if (explicit !== undefined) throw new InputError(`${displayPath(file, cwd)} is not an expectations file: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
      continue;
    }
    for (const c of parsed.data.cases) {
      const range = c.leaks.find((r) => compareVersions(versions.candidate, r.from) >= 0 && compareVersions(versions.candidate, r.through) <= 0);
      const undoesFix = range !== undefined && isValidVersion(versions.baseline) && compareVersions(versions.baseline, range.through) > 0;
      if (leaksOn(c, versions.candidate) && !undoesFix) known.add(`${displayPath(path.resolve(path.dirname(file), c.file), cwd)}::${c.function}`);
    }
  }
  return known;
}

function specLabel(spec: string, env: PythonEnv | null): string {
  if (env?.tree?.kind === 'commit' && env.tree.commit !== null) return `${spec} (${env.tree.commit.slice(0, 12)})`;
  return spec;
}

/** A gate's report, and every function's full result on each side (for the HTML report). */
export interface GateRun {
  report: GateReport;
  baseline: Result[];
  candidate: Result[];
}

/** `gate`: the repros on both versions, and the verdict of the upgrade. */
export async function gateTargets(targets: readonly string[], opts: GateOptions, ctx: PipelineContext): Promise<GateRun> {
  if (opts.baseline === opts.candidate) throw new UsageError(`--baseline and --candidate are both ${opts.baseline}: compare two different versions.`);
  const { repros, problems } = await resolveTargets(targets, ctx.cwd);
  const problemResults: Result[] = problems.map((p) => errorResult({ file: p.target, function: null, call: null, build: null }, 'InputError', p.message));
  const cache = await openCache(opts.cacheDir);

  let baseEnv: PythonEnv | null = null;
  let candEnv: PythonEnv | null = null;
  let baseResults: Result[] = [...problemResults];
  let candResults: Result[] = [...problemResults];
  if (repros.length > 0) {
    [baseEnv, candEnv] = await Promise.all([
      environmentFor(opts.baseline, opts.repo, '--baseline', cache, ctx),
      environmentFor(opts.candidate, opts.repo, '--candidate', cache, ctx),
    ]);
    // Both sides at once, sharing the cores between them.
    const jobs = Math.max(1, Math.floor(opts.jobs / 2));
    const runOpts = { ...opts, python: undefined, pythran: undefined, jobs, diagnose: false };
    const [b, c] = await Promise.all([runRepros(repros, baseEnv, cache, runOpts, ctx), runRepros(repros, candEnv, cache, runOpts, ctx)]);
    baseResults = [...baseResults, ...b];
    candResults = [...candResults, ...c];
  }
  const versions = { baseline: baseEnv?.pythran.version ?? opts.baseline, candidate: candEnv?.pythran.version ?? opts.candidate };
  const known = isValidVersion(versions.candidate) ? await knownLeaks(repros, opts.expectations, versions, ctx.cwd) : new Set<string>();
  const rows = compareRuns(baseResults, candResults, known, { percent: opts.tolerance, bytes: opts.threshold });
  const report = GateReportSchema.parse({
    schemaVersion: GATE_SCHEMA_VERSION,
    tool: { name: 'pythran-leakcheck', version: TOOL_VERSION },
    command: 'gate',
    outcome: gateOutcome(rows),
    baseline: { spec: specLabel(opts.baseline, baseEnv), environment: baseEnv === null ? null : environmentReport(baseEnv) },
    candidate: { spec: specLabel(opts.candidate, candEnv), environment: candEnv === null ? null : environmentReport(candEnv) },
    tolerance: { percent: opts.tolerance, bytes: opts.threshold },
    summary: summarize(rows),
    functions: rows,
  });
  return { report, baseline: baseResults, candidate: candResults };
}
