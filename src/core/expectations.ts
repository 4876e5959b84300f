/**
 * repros/expectations.json: which Pythran releases each repro function leaks
 * on, from Pythran's public tracker. Read by the tests (and the upgrade gate).
 * Pure.
 */
import { z } from 'zod';
import { KINDS } from './report.js';
import { compareVersions } from './compat.js';

const Version = z.string().regex(/^\d+(\.\d+)+(\.post\d+)?$/, 'a release number such as 0.16.1');

export const ExpectationCase = z.object({
  id: z.string().min(1),
  file: z.string().min(1).describe('relative to the expectations file'),
  function: z.string().min(1),
  tracker: z.string().url().nullable(),
  fix: z.string().url().nullable(),
  leaks: z.array(z.object({ from: Version, through: Version })).describe('inclusive ranges of leaking releases'),
  fixedIn: Version.nullable(),
  kind: z.enum(KINDS).nullable(),
  confidence: z.enum(['high', 'medium', 'low']),
  note: z.string(),
});
export type ExpectationCase = z.infer<typeof ExpectationCase>;

export const ExpectationsFile = z.object({
  schemaVersion: z.literal(1),
  cases: z.array(ExpectationCase),
});
export type ExpectationsFile = z.infer<typeof ExpectationsFile>;

/** Whether `c` leaks on Pythran `version`, according to the public record. */
export function leaksOn(c: ExpectationCase, version: string): boolean {
  return c.leaks.some((r) => compareVersions(version, r.from) >= 0 && compareVersions(version, r.through) <= 0);
}
