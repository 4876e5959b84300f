/**
 * The HTML report's input for `gate` and `bisect`, from their own reports.
 * Pure: maps statuses and points onto the page's vocabulary.
 */
import type { BisectReport, Point } from '../core/bisect-report.js';
import type { GateReport } from '../core/gate.js';
import { functionLabel, type Result } from '../core/report.js';
import type { GateStatus, HtmlDocument } from './html.js';

const GATE_STATUS: Record<GateReport['functions'][number]['status'], GateStatus> = {
  'new-leak': 'regression',
  grew: 'regression',
  fixed: 'fixed',
  shrank: 'fixed',
  'known-leak': 'known',
  'still-leaks': 'same',
  ok: 'same',
  unjudged: 'unjudged',
  'bad-input': 'unjudged',
};

export function gateDocument(report: GateReport, baseline: readonly Result[], candidate: readonly Result[]): HtmlDocument {
  const find = (results: readonly Result[], file: string, fn: string | null) =>
    results.find((r) => r.file === file && functionLabel(r) === fn) ?? null;
  return {
    kind: 'gate',
    title: `Pythran ${report.baseline.spec} -> ${report.candidate.spec}`,
    gate: {
      baseline: { label: `Pythran ${report.baseline.spec}`, environment: report.baseline.environment },
      candidate: { label: `Pythran ${report.candidate.spec}`, environment: report.candidate.environment },
      rows: report.functions.map((row) => ({
        file: row.file,
        function: row.function,
        baseline: find(baseline, row.file, row.function),
        candidate: find(candidate, row.file, row.function),
        status: GATE_STATUS[row.status],
        note: row.note,
      })),
    },
  };
}

function label(p: Point): string {
  return 'version' in p ? p.version : `${p.commit.slice(0, 12)} ${p.subject}`;
}

export function bisectDocument(report: BisectReport): HtmlDocument {
  return {
    kind: 'bisect',
    bisect: {
      target: report.target,
      // Ends that agree have no direction: the page then shows the points tried and no answer.
      direction: report.direction ?? 'introduced',
      first: report.first === null ? null : label(report.first),
      steps: report.steps.map((s) => ({
        point: label(s),
        verdict: s.verdict === 'skip' ? 'skipped' : s.verdict === 'unjudged' ? 'inconclusive' : s.verdict,
        bytesPerCall: s.bytesPerCall,
        note: s.reason ?? (s.sameBinaryAs !== null ? `same module as ${s.sameBinaryAs}` : null),
      })),
    },
  };
}
