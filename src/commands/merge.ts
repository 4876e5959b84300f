/**
 * `pythran-leakcheck merge <report.json>...`: one report from the JSON
 * reports of the shards of a CI matrix (`run --shard i/n --json`).
 */
import { readFile } from 'node:fs/promises';
import { mergeReports, ReportSchema, type Report } from '../core/report.js';
import { InputError } from '../errors.js';

export async function mergeCommand(files: readonly string[]): Promise<{ report: Report; warnings: string[] }> {
  const reports: Report[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: unknown) => {
      throw new InputError(`cannot read ${file}: ${(error as Error).message}`);
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new InputError(`${file} is not JSON: give the output of 'pythran-leakcheck run --json'`);
    }
    const parsed = ReportSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(`${file} is not a pythran-leakcheck report: ${issue?.path.join('.') || '(top)'}: ${issue?.message ?? 'invalid'}`);
    }
    reports.push(parsed.data);
  }
  const { report, problems } = mergeReports(reports);
  const env = problems.find((p) => p.kind === 'environment');
  if (env !== undefined) throw new InputError(env.message, { hint: 'merge only the shards of one run' });
  return { report, warnings: problems.map((p) => p.message) };
}
