/**
 * Which Pythran release runs with which Python and numpy: the one table the
 * tool consults when it makes an environment. Pure.
 *
 * Each row covers a half-open range of Pythran releases [from, to). The numpy
 * pin keeps builds working (Pythran < 0.16 predates numpy 2; 0.16-0.18 fail to
 * build against numpy 2.4). The gast/beniget/ply pins repeat what each
 * release's own requirements say, so an environment never picks up a newer
 * gast that the release was never tested with.
 */
import * as pep440 from '@renovatebot/pep440';
import { BLAS_REQUIREMENT } from './blas.js';

export interface CompatRow {
  /** First release the row covers (inclusive). */
  from: string;
  /** First release it no longer covers (exclusive); null: open-ended. */
  to: string | null;
  /** Supported Python versions, as a PEP 440 specifier on the interpreter's version. */
  python: string;
  /** Requirement strings installed beside `pythran==VERSION`. */
  requires: string[];
}

export const COMPAT_TABLE: readonly CompatRow[] = [
  // Releases before 0.12 do not build on Python 3.11 with numpy 1.26 (pattern_transform breaks, np.int is gone).
  { from: '0.1.0', to: '0.12.0', python: '<3.11', requires: ['numpy<1.24'] },
  // 0.12.x: the gast and beniget that pip picks by default break `import pythran`.
  { from: '0.12.0', to: '0.13.0', python: '>=3.7,<3.12', requires: ['numpy<2', 'gast==0.5.3', 'beniget==0.4.1', 'ply>=3.4'] },
  { from: '0.13.0', to: '0.15.0', python: '>=3.7,<3.12', requires: ['numpy<2', 'gast~=0.5.0', 'beniget~=0.4.0', 'ply>=3.4'] },
  // 0.15.0 improved Python 3.12 support (distutils removal).
  { from: '0.15.0', to: '0.16.0', python: '>=3.7', requires: ['numpy<2', 'gast~=0.5.0', 'beniget~=0.4.0', 'ply>=3.4'] },
  { from: '0.16.0', to: '0.17.0', python: '>=3.7', requires: ['numpy<2.4', 'gast~=0.5.0', 'beniget~=0.4.0', 'ply>=3.4'] },
  { from: '0.17.0', to: '0.19.0', python: '>=3.7', requires: ['numpy<2.4', 'gast~=0.6.0', 'beniget~=0.4.0', 'ply>=3.4'] },
  // 0.19.0 requires setuptools<60 on Python < 3.12 at run time.
  {
    from: '0.19.0',
    to: null,
    python: '>=3.7',
    requires: ['numpy', 'gast~=0.7.0', 'beniget~=0.5.0', 'ply>=3.4', "setuptools<60; python_version < '3.12'"],
  },
];

/**
 * Always installed: psutil for the harness's RSS, setuptools for Pythran's build step, and a
 * BLAS from PyPI for kernels that call np.dot/@ (see core/blas.ts). Being part of the set, the
 * BLAS is part of the environment's key: environments made before it are not reused.
 */
const HARNESS_REQUIREMENTS = ['psutil', 'setuptools', BLAS_REQUIREMENT];

export function isValidVersion(version: string): boolean {
  return /^\d+(\.\d+)+((a|b|rc)\d+)?(\.post\d+)?$/.test(version) && pep440.valid(version) !== null;
}

export function compareVersions(a: string, b: string): number {
  return pep440.compare(a, b);
}

export function rowFor(version: string): CompatRow | null {
  return (
    COMPAT_TABLE.find(
      (row) => compareVersions(version, row.from) >= 0 && (row.to === null || compareVersions(version, row.to) < 0),
    ) ?? null
  );
}

/** The pip requirements of a managed environment for `version`. */
export function requirementsFor(version: string): string[] {
  return [`pythran==${version}`, ...dependencySet(version)];
}

/**
 * Everything a managed environment for `version` needs except Pythran itself:
 * the dependency set. Releases (and commits) with the same set share one
 * environment, with their Pythran tree put on the path.
 */
export function dependencySet(version: string): string[] {
  const row = rowFor(version);
  return [...(row?.requires ?? ['numpy<2']), ...HARNESS_REQUIREMENTS];
}

/** null when `version` can run on Python `pythonVersion`; otherwise a one-paragraph reason. */
export function checkPythonSupported(version: string, pythonVersion: string): string | null {
  const row = rowFor(version);
  if (row === null) return null;
  if (!pep440.satisfies(pythonVersion, row.python)) {
    return `Pythran ${version} cannot run on Python ${pythonVersion}: releases ${row.from} to ${row.to ?? 'now'} support Python ${row.python}.`;
  }
  return null;
}
