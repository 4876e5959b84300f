/** The terminal table of `gate`: one row per function, baseline and candidate side by side. */
import Table from 'cli-table3';
import type { ChalkInstance } from 'chalk';
import type { GateReport, GateRow, GateSide, GateStatus } from '../core/gate.js';
import { formatRate, tableStyle } from './format.js';

export const STATUS_LABELS: Record<GateStatus, string> = {
  'new-leak': 'REGRESSION: new leak',
  grew: 'REGRESSION: leak grew',
  fixed: 'fixed',
  'known-leak': 'known leak',
  'still-leaks': 'leaks on both',
  shrank: 'leak shrank',
  ok: 'ok',
  unjudged: 'could not judge',
  'bad-input': 'bad input',
};

export const OUTCOME_LINES: Record<GateReport['outcome'], string> = {
  pass: 'no regression',
  regression: 'the candidate regresses',
  unjudged: 'could not judge every function: this is not a pass',
  usage: 'bad input: fix the targets',
};

export function sideText(s: GateSide): string {
  if (s.verdict === null) return 'missing';
  if (s.verdict === 'leak') return `leak ${formatRate(s.bytesPerCall)} B/call`;
  return s.verdict;
}

export function rowName(r: Pick<GateRow, 'file' | 'function'>): string {
  return r.function === null ? r.file : `${r.file}::${r.function}`;
}

function colour(status: GateStatus, c: ChalkInstance): (s: string) => string {
  switch (status) {
    case 'new-leak':
    case 'grew':
      return c.red.bold;
    case 'fixed':
    case 'shrank':
      return c.green;
    case 'ok':
      return (s) => s;
    case 'known-leak':
    case 'still-leaks':
      return c.yellow;
    default:
      return c.magenta;
  }
}

export function renderGateTable(report: GateReport, c: ChalkInstance): string {
  const table = new Table({
    head: ['function', `baseline ${report.baseline.spec}`, `candidate ${report.candidate.spec}`, 'gate'],
    ...tableStyle(c.level),
  });
  for (const r of report.functions) table.push([rowName(r), sideText(r.baseline), sideText(r.candidate), colour(r.status, c)(STATUS_LABELS[r.status])]);
  const lines: string[] = [];
  for (const [label, end] of [['baseline', report.baseline], ['candidate', report.candidate]] as const) {
    const e = end.environment;
    if (e !== null) {
      const commit = e.pythran.commit !== null ? ` (${e.pythran.commit.slice(0, 12)})` : '';
      lines.push(c.dim(`${label}: Pythran ${e.pythran.version}${commit}, Python ${e.pythonVersion}, numpy ${e.numpy}, ${e.compiler}`));
    }
  }
  lines.push(table.toString());
  for (const r of report.functions) {
    if (r.status === 'ok') continue;
    lines.push(`${colour(r.status, c)(STATUS_LABELS[r.status])} ${rowName(r)}: ${r.note}`);
  }
  const s = report.summary;
  const counts = `${s.regressions} regression(s), ${s.fixed} fixed, ${s.knownLeaks} known leak(s), ${s.unchanged} unchanged, ${s.unjudged} not judged`;
  const verdict = report.outcome === 'pass' ? c.green.bold(OUTCOME_LINES.pass) : c.red.bold(OUTCOME_LINES[report.outcome]);
  lines.push(`gate ${report.baseline.spec} -> ${report.candidate.spec}: ${verdict} (${counts})`);
  return `${lines.join('\n')}\n`;
}
