/** `gate --markdown FILE`: a summary for a CI job page (GitHub's $GITHUB_STEP_SUMMARY). */
import type { GateReport } from '../core/gate.js';
import { OUTCOME_LINES, rowName, sideText, STATUS_LABELS } from './gate-text.js';

export function mdEscape(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ').replace(/([*_`[\]])/g, '\\$1');
}

const ICONS: Record<GateReport['outcome'], string> = { pass: '✅', regression: '❌', unjudged: '⚠️', usage: '⚠️' };

export function renderMarkdown(report: GateReport): string {
  const s = report.summary;
  const lines: string[] = [];
  lines.push(`### ${ICONS[report.outcome]} Pythran leak gate: ${mdEscape(report.baseline.spec)} → ${mdEscape(report.candidate.spec)}: ${OUTCOME_LINES[report.outcome]}`);
  lines.push('');
  lines.push(`${s.regressions} regression(s), ${s.fixed} fixed, ${s.knownLeaks} known leak(s), ${s.unchanged} unchanged, ${s.unjudged} not judged.`);
  lines.push('');
  lines.push(`| function | baseline ${mdEscape(report.baseline.spec)} | candidate ${mdEscape(report.candidate.spec)} | gate | note |`);
  lines.push('|---|---|---|---|---|');
  for (const r of report.functions) {
    const status = r.status === 'new-leak' || r.status === 'grew' ? `**${STATUS_LABELS[r.status]}**` : STATUS_LABELS[r.status];
    lines.push(`| \`${rowName(r).replace(/`/g, "'")}\` | ${mdEscape(sideText(r.baseline))} | ${mdEscape(sideText(r.candidate))} | ${status} | ${mdEscape(r.note)} |`);
  }
  lines.push('');
  for (const [label, end] of [['Baseline', report.baseline], ['Candidate', report.candidate]] as const) {
    const e = end.environment;
    if (e === null) continue;
    const commit = e.pythran.commit !== null ? ` (${e.pythran.commit.slice(0, 12)})` : '';
    lines.push(`${label}: Pythran ${mdEscape(e.pythran.version + commit)}, Python ${e.pythonVersion}, numpy ${e.numpy}, ${mdEscape(e.compiler)}.  `);
  }
  lines.push(`Tolerance: a leak may grow by ${report.tolerance.percent}% and ${report.tolerance.bytes} B per call.`);
  return `${lines.join('\n')}\n`;
}
