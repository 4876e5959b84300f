/**
 * `gate --junit FILE`: one JUnit testsuite, one testcase per function.
 * A regression is a <failure>, a function that could not be judged an
 * <error>; fixed and known leaks pass with a note in <system-out>.
 */
import type { GateReport } from '../core/gate.js';
import { rowName, sideText, STATUS_LABELS } from './gate-text.js';

export function xmlEscape(text: string): string {
  return text
    // Characters XML 1.0 cannot hold at all (control characters on purpose).
    // eslint-disable-next-line no-control-regex
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function renderJunit(report: GateReport): string {
  const name = `pythran-leakcheck gate ${report.baseline.spec} -> ${report.candidate.spec}`;
  const failures = report.functions.filter((r) => r.status === 'new-leak' || r.status === 'grew').length;
  const errors = report.functions.filter((r) => r.status === 'unjudged' || r.status === 'bad-input').length;
  const cases = report.functions.map((r) => {
    const detail = `baseline ${report.baseline.spec}: ${sideText(r.baseline)}; candidate ${report.candidate.spec}: ${sideText(r.candidate)}. ${r.note}`;
    const open = `    <testcase classname="${xmlEscape(r.file)}" name="${xmlEscape(r.function ?? r.file)}" time="0">`;
    let body = '';
    if (r.status === 'new-leak' || r.status === 'grew') {
      body = `\n      <failure message="${xmlEscape(STATUS_LABELS[r.status])}" type="${r.status}">${xmlEscape(detail)}</failure>\n    `;
    } else if (r.status === 'unjudged' || r.status === 'bad-input') {
      body = `\n      <error message="${xmlEscape(STATUS_LABELS[r.status])}" type="${r.status}">${xmlEscape(detail)}</error>\n    `;
    } else {
      body = `\n      <system-out>${xmlEscape(`${STATUS_LABELS[r.status]} (${rowName(r)}): ${detail}`)}</system-out>\n    `;
    }
    return `${open}${body}</testcase>`;
  });
  // A gate that judged nothing must not read as a pass in a CI's test view either.
  if (report.functions.length === 0) {
    cases.push(`    <testcase classname="pythran-leakcheck" name="gate" time="0">\n      <error message="nothing was judged" type="unjudged">no function was measured</error>\n    </testcase>`);
  }
  const total = Math.max(1, report.functions.length);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(name)}" tests="${total}" failures="${failures}" errors="${errors + (report.functions.length === 0 ? 1 : 0)}">`,
    `  <testsuite name="${xmlEscape(name)}" tests="${total}" failures="${failures}" errors="${errors + (report.functions.length === 0 ? 1 : 0)}" skipped="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
