/** The terminal table (cli-table3): one row per function, then what each verdict means. */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import { functionLabel, type Report, type Result } from '../core/report.js';
import { describeDiagnosis } from '../core/diagnosis.js';
import { formatCount, formatRate, formatSeconds, tableStyle } from './format.js';
import { minimumSpan, seriesPoints, sparkline, tellingSignal } from './series.js';

/**
 * A sparkline of the most telling signal's readings against calls (the
 * leaking one for a leak), coloured like the verdict, then the signal's name.
 */
function trendText(r: Result, c: ChalkInstance): string {
  const name = tellingSignal(r);
  if (name === null) return '-';
  const points = seriesPoints(r, name);
  const bars = sparkline(points, 10, minimumSpan(points, r.signals[name]?.threshold));
  const paint = r.verdict === 'leak' ? c.red : r.verdict === 'ok' ? c.green : c.yellow;
  return `${paint(bars)} ${c.dim(name)}`;
}

function verdictText(r: Result, c: ChalkInstance): string {
  // A leak the uncompiled control shows too is the code's own, not Pythran's: the label says so.
  const owner = r.owner === 'code' ? ", the code's own" : '';
  const label = r.verdict === 'leak' && r.kind !== null ? `leak (${r.kind}${owner})` : r.verdict;
  switch (r.verdict) {
    case 'ok':
      return c.green(label);
    case 'leak':
      return c.red.bold(label);
    case 'inconclusive':
      return c.yellow(label);
    default:
      return c.magenta(label);
  }
}

/** `--verbose`: where the time went, per function and for the run (the JSON report's `timings`). */
function timingLines(report: Report, c: ChalkInstance): string[] {
  const part = (name: string, s: number | null | undefined) => (s === null || s === undefined ? [] : [`${name} ${formatSeconds(s)}`]);
  const lines = [c.bold('where the time went (wall):')];
  for (const r of report.results) {
    const t = r.timings;
    if (t === null) continue;
    const build = r.build === null ? [] : [`build ${formatSeconds(r.build.seconds)}${r.build.cached ? ' (cached)' : ''}`];
    const parts = [...build, ...part('measure', t.measure), ...part('domain check', t.domain), ...part('replicate', t.replicate), ...part('control', t.control), ...part('scaled', t.scaled)];
    lines.push(`  ${r.file}::${functionLabel(r)}: ${parts.join(', ')}; investigation ${formatSeconds(t.total)}`);
  }
  const t = report.timings;
  if (t !== null && t !== undefined) {
    lines.push(`  run: environment ${formatSeconds(t.environment)}, builds ${formatSeconds(t.build)}, investigations ${formatSeconds(t.measure)} (summed), total ${formatSeconds(t.total)}`);
  }
  return lines;
}

export function renderTable(report: Report, c: ChalkInstance, opts: { verbose?: boolean } = {}): string {
  const table = new Table({
    head: ['function', 'trend', 'calls', 'time', 'python B/call', 'native B/call', 'RSS B/call', 'blocks/call', 'verdict', 'uncompiled'],
    colAligns: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
    ...tableStyle(c.level),
  });
  for (const r of report.results) {
    table.push([
      r.function === null ? r.file : `${r.file}::${functionLabel(r)}`,
      trendText(r, c),
      r.calls > 0 ? formatCount(r.calls) : '-',
      r.seconds > 0 ? formatSeconds(r.seconds) : '-',
      formatRate(r.bytesPerCall.python),
      formatRate(r.bytesPerCall.native),
      formatRate(r.bytesPerCall.rss),
      formatRate(r.blocksPerCall, 2),
      verdictText(r, c),
      // The same function run as plain Python (measured for leaks only).
      r.diagnosis?.interpreted?.verdict ?? '-',
    ]);
  }
  const lines: string[] = [];
  const env = report.environment;
  if (env !== null) {
    const commit = env.pythran.commit !== null ? ` (${env.pythran.commit.slice(0, 12)})` : '';
    lines.push(c.dim(`Pythran ${env.pythran.version}${commit}, Python ${env.pythonVersion}, numpy ${env.numpy}, ${env.compiler}${env.blas ? `, BLAS ${env.blas}` : ''}`));
  }
  lines.push(table.toString());
  for (const r of report.results) {
    if (r.message === null) continue;
    const name = r.function === null ? r.file : `${r.file}::${functionLabel(r)}`;
    const body = r.message.split('\n').join('\n    ');
    lines.push(`${verdictText(r, c)} ${name}: ${body}`);
    if (r.diagnosis !== null) for (const line of describeDiagnosis(r.diagnosis, r.verdict)) lines.push(`    ${line}`);
  }
  if (opts.verbose === true) lines.push(...timingLines(report, c));
  return `${lines.join('\n')}\n`;
}
