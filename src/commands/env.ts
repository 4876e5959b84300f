/**
 * `pythran-leakcheck env list|install|prune`: the managed environments
 * (one per dependency set) and the Pythran trees put on their path.
 */
import { z } from 'zod';
import { environmentReport } from '../pipeline/run.js';
import { UsageError } from '../errors.js';
import { openCache } from '../io/cache.js';
import { commitInfo, openRepo, resolveCommit } from '../io/git.js';
import { listCache, pruneCache, type CacheEntry } from '../io/managed/cache-entries.js';
import { ensureCommitEnv, ensureReleaseEnv } from '../io/managed/environments.js';
import type { EnvironmentReport } from '../core/report.js';
import type { Progress } from '../progress.js';

export interface EnvCommandContext {
  signal: AbortSignal;
  progress: Progress;
}

import { EnvInstallOptionsSchema, EnvListOptionsSchema, EnvPruneOptionsSchema } from '../options.js';

export { EnvInstallOptionsSchema, EnvListOptionsSchema, EnvPruneOptionsSchema };

export const CacheEntrySchema = z.object({
  kind: z.enum(['deps', 'release', 'commit', 'objects', 'legacy', 'builds']),
  name: z.string(),
  path: z.string(),
  detail: z.string(),
  lastUsed: z.string().nullable(),
  bytes: z.number().nullable(),
});
export const EnvListReportSchema = z.object({ cache: z.string(), entries: z.array(CacheEntrySchema) });
export const EnvPruneReportSchema = z.object({ cache: z.string(), dryRun: z.boolean(), removed: z.array(CacheEntrySchema), bytes: z.number() });

export async function envList(opts: z.infer<typeof EnvListOptionsSchema>, ctx: EnvCommandContext): Promise<z.infer<typeof EnvListReportSchema>> {
  const cache = await openCache(opts.cacheDir);
  return EnvListReportSchema.parse({ cache: cache.root, entries: await listCache(cache, ctx.signal, opts.sizes) });
}

/** Make (or check) the environment of each release, or with --repo of each revision. */
export async function envInstall(specs: readonly string[], opts: z.infer<typeof EnvInstallOptionsSchema>, ctx: EnvCommandContext): Promise<EnvironmentReport[]> {
  if (specs.length === 0) throw new UsageError('env install needs at least one Pythran release (or, with --repo, a revision)');
  const cache = await openCache(opts.cacheDir);
  const envCtx = { cache, signal: ctx.signal, progress: ctx.progress };
  const out: EnvironmentReport[] = [];
  if (opts.repo !== undefined) {
    const repo = await openRepo(opts.repo, ctx.signal);
    for (const rev of specs) {
      const commit = await resolveCommit(repo, rev, 'revision', ctx.signal);
      out.push(environmentReport(await ensureCommitEnv(repo, await commitInfo(repo, commit, ctx.signal), envCtx)));
    }
  } else {
    for (const version of specs) out.push(environmentReport(await ensureReleaseEnv(version, envCtx)));
  }
  return out;
}

export async function envPrune(opts: z.infer<typeof EnvPruneOptionsSchema>, ctx: EnvCommandContext): Promise<z.infer<typeof EnvPruneReportSchema>> {
  const cache = await openCache(opts.cacheDir);
  const removed = await pruneCache(cache, { all: opts.all, olderThanDays: opts.olderThan, dryRun: opts.dryRun }, ctx.signal);
  return EnvPruneReportSchema.parse({ cache: cache.root, dryRun: opts.dryRun, removed, bytes: removed.reduce((a, e) => a + (e.bytes ?? 0), 0) });
}

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '-';
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v >= 10 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

export function renderEntries(entries: readonly CacheEntry[]): string {
  if (entries.length === 0) return 'nothing\n';
  const rows = entries.map((e) => [e.kind, e.name, e.detail, e.lastUsed?.slice(0, 10) ?? '-', formatBytes(e.bytes)]);
  const head = ['kind', 'name', 'what', 'last used', 'size'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}
