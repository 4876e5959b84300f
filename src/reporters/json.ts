/** `--json`: exactly one document on stdout, validated against the schema first. */
import { ReportSchema, type Report } from '../core/report.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(ReportSchema.parse(report), null, 2)}\n`;
}
