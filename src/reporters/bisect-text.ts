/** The terminal output of `bisect`: the answer, then the log of the points tried. */
import type { ChalkInstance } from 'chalk';
import type { BisectReport, Point } from '../core/bisect-report.js';
import { formatRate } from './format.js';

function label(p: Point): string {
  return 'version' in p ? p.version : `${p.commit.slice(0, 12)} ${p.subject}`;
}

export function renderBisect(report: BisectReport, c: ChalkInstance): string {
  const lines: string[] = [];
  const [headline = '', ...notes] = report.message.split('\n');
  const colour = report.outcome === 'found' ? c.bold : report.outcome === 'ends-agree' ? c.yellow : c.magenta;
  lines.push(colour(headline));
  if (report.first !== null && 'commit' in report.first) lines.push(`first ${report.direction === 'fixed' ? 'fixed' : 'leaking'} commit: ${report.first.commit}`);
  for (const n of notes) lines.push(c.dim(n));
  lines.push('');
  lines.push(
    `Points tried: ${report.steps.length} of ${report.distinct}${report.distinct !== report.points ? ` distinct (${report.points} ${report.mode})` : ` ${report.mode}`}, ${report.rounds} round(s), ${report.seconds.toFixed(1)} s`,
  );
  const rows = report.steps.map((s) => [
    String(s.round),
    label(s).slice(0, 60),
    s.verdict === 'leak' && s.kind !== null ? `leak (${s.kind})` : s.verdict,
    s.bytesPerCall === null ? '-' : `${formatRate(s.bytesPerCall)} B/call`,
    s.cachedBuild === null ? '-' : s.cachedBuild ? 'cached' : 'built',
    `${s.seconds.toFixed(1)} s`,
    [s.level === 'probe' ? 'probe' : s.level === 'boundary' ? 'boundary (full verdict)' : '', s.reason ?? (s.sameBinaryAs !== null ? `same module as ${s.sameBinaryAs}: not measured again` : '')]
      .filter((x) => x !== '')
      .join('; '),
  ]);
  const head = ['round', 'point', 'verdict', 'growth', 'build', 'time', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => `  ${r.map((x, i) => x.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}`;
  lines.push(fmt(head));
  for (const r of rows) lines.push(fmt(r));
  return `${lines.join('\n')}\n`;
}
