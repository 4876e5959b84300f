export const FIX_SUBJECT: string;
export type ChangeKind = 'docs' | 'tests' | 'frontend' | 'header' | 'fix';
export function fetchSdist(version: string, dir: string, python?: string): string;
export function makePythranRepo(opts: { dest: string; sdist: string; plan: ChangeKind[] }): {
  repo: string;
  base: string;
  fix: string | null;
  head: string;
  commits: Array<{ commit: string; subject: string; kind: ChangeKind | 'base' }>;
};
