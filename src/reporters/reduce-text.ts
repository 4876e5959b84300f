/** The text `reduce` prints: what was reduced to what, where the files are, and the reduced repro. Pure. */
import type { ChalkInstance } from 'chalk';
import { leakSize } from '../core/gate.js';
import { releaseLines, type ReduceReport } from '../core/reduce.js';

export function renderReduce(report: ReduceReport, c: ChalkInstance): string {
  const r = report.reduced.result ?? { verdict: 'not judged (interrupted)', kind: null, bytesPerCall: { python: null, native: null, rss: null }, diagnosis: null, message: null };
  const size = r.verdict === 'leak' ? `, ${Math.round(leakSize(r) ?? 0)} B/call` : '';
  const control = r.diagnosis?.interpreted?.verdict ?? 'not run';
  const how = report.fixpoint ? 'fixpoint' : `stopped by the ${report.stopped === 'budget' ? `budget (${report.budgetSeconds} s)` : 'user'}, no fixpoint`;
  const head = report.outcome === 'reduced' ? c.green('reduced') : c.yellow('reduced, NOT confirmed');
  const lines = [
    `${head} ${report.target} on Pythran ${report.environment.pythran.version}: ${report.original.bodyLines} -> ${report.reduced.bodyLines} lines of function body (${r.verdict}${r.kind !== null ? ` ${r.kind}` : ''}${size}; uncompiled ${control})`,
    `  ${how} in ${report.seconds.toFixed(0)} s: ${report.candidates.tried} candidates tried, ${report.candidates.interesting} still leaking, ${report.candidates.notBuilt} not built`,
  ];
  if (report.outcome !== 'reduced') lines.push(`  the full verdict of the reduced repro: ${r.verdict}${r.kind !== null ? ` (${r.kind})` : ''}: ${r.message ?? ''}`);
  if (report.releases !== null) lines.push(...releaseLines(report.releases).map((l) => `  ${l.replace(/^- /, '').replace(/\*\*/g, '')}`));
  lines.push(`  repro:  ${report.files.repro}`, `  report: ${report.files.report}`, `  issue:  ${report.files.issue ?? '(not written: interrupted before the full verdict)'}`, `  again:  ${report.reproduce}`, '', report.reduced.source.trimEnd(), '');
  return lines.join('\n');
}
