import { BLAS_REQUIREMENT } from '../../src/core/blas.js';
import { describe, it, expect } from 'vitest';
import {
  checkPythonSupported,
  COMPAT_TABLE,
  compareVersions,
  dependencySet,
  isValidVersion,
  requirementsFor,
  rowFor,
} from '../../src/core/compat.js';

/** The requirement for one package (`numpy<2` -> 'numpy'), exactly one expected. */
function pinOf(version: string, pkg: string): string {
  const reqs = requirementsFor(version).filter((r) => r.split(/[<>=~!;\s]/)[0] === pkg);
  expect(reqs, `${pkg} requirements for ${version}`).toHaveLength(1);
  return reqs[0] as string;
}

describe('requirementsFor', () => {
  it('lists pythran first, then the row pins, then the harness packages', () => {
    expect(requirementsFor('0.15.0')).toEqual([
      'pythran==0.15.0',
      'numpy<2',
      'gast~=0.5.0',
      'beniget~=0.4.0',
      'ply>=3.4',
      'psutil',
      'setuptools',
      BLAS_REQUIREMENT,
    ]);
  });

  it.each(['0.12.0', '0.12.2', '0.13.0', '0.14.0', '0.15.0'])('%s pins numpy<2', (v) => {
    expect(pinOf(v, 'numpy')).toBe('numpy<2');
  });

  it.each(['0.9.0', '0.10.0', '0.11.0'])('%s (before 0.12) pins numpy<1.24, below 2 as well', (v) => {
    expect(pinOf(v, 'numpy')).toBe('numpy<1.24');
  });

  it.each(['0.16.0', '0.16.1', '0.17.0', '0.18.0', '0.18.1'])('%s pins numpy<2.4', (v) => {
    expect(pinOf(v, 'numpy')).toBe('numpy<2.4');
  });

  it.each(['0.19.0', '0.19.1', '0.20.0'])('%s leaves numpy unpinned', (v) => {
    expect(pinOf(v, 'numpy')).toBe('numpy');
  });

  it.each(['0.12.0', '0.12.1', '0.12.2'])('%s pins gast==0.5.3 and beniget==0.4.1', (v) => {
    expect(pinOf(v, 'gast')).toBe('gast==0.5.3');
    expect(pinOf(v, 'beniget')).toBe('beniget==0.4.1');
  });

  it.each(['0.13.0', '0.15.0', '0.16.1'])('%s pins gast~=0.5.0', (v) => {
    expect(pinOf(v, 'gast')).toBe('gast~=0.5.0');
  });

  it.each(['0.17.0', '0.18.0', '0.18.1'])('%s pins gast~=0.6.0 and beniget~=0.4.0', (v) => {
    expect(pinOf(v, 'gast')).toBe('gast~=0.6.0');
    expect(pinOf(v, 'beniget')).toBe('beniget~=0.4.0');
  });

  it('0.19.0 pins gast~=0.7.0 and beniget~=0.5.0, and setuptools<60 below Python 3.12', () => {
    expect(requirementsFor('0.19.0')).toEqual([
      'pythran==0.19.0',
      'numpy',
      'gast~=0.7.0',
      'beniget~=0.5.0',
      'ply>=3.4',
      "setuptools<60; python_version < '3.12'",
      'psutil',
      'setuptools',
      BLAS_REQUIREMENT,
    ]);
  });

  it('a release before the table falls back to numpy<2 plus the harness packages', () => {
    expect(requirementsFor('0.0.9')).toEqual(['pythran==0.0.9', 'numpy<2', 'psutil', 'setuptools', BLAS_REQUIREMENT]);
  });

  it('the seed range: 0.15.0 (leaks) and 0.16.1 (fixed) get different numpy pins', () => {
    expect(pinOf('0.15.0', 'numpy')).toBe('numpy<2');
    expect(pinOf('0.16.1', 'numpy')).toBe('numpy<2.4');
  });
});

describe('dependencySet', () => {
  it('is the requirements without Pythran, so releases with the same set share an environment', () => {
    for (const v of ['0.12.0', '0.15.0', '0.16.1', '0.19.0']) {
      expect(dependencySet(v)).toEqual(requirementsFor(v).slice(1));
    }
  });

  it('0.14.0 and 0.15.0 share a set (numpy<2); 0.16.0 and 0.16.1 share another (numpy<2.4)', () => {
    expect(dependencySet('0.14.0')).toEqual(dependencySet('0.15.0'));
    expect(dependencySet('0.16.0')).toEqual(dependencySet('0.16.1'));
    expect(dependencySet('0.15.0')).not.toEqual(dependencySet('0.16.0'));
  });

  it('0.12.x gets its own set (gast and beniget pinned exactly)', () => {
    expect(dependencySet('0.12.2')).not.toEqual(dependencySet('0.13.0'));
  });
});

describe('checkPythonSupported', () => {
  it('refuses 0.11.0 on Python 3.11 with a message naming both versions', () => {
    const message = checkPythonSupported('0.11.0', '3.11');
    expect(message).not.toBeNull();
    expect(message).toContain('Pythran 0.11.0');
    expect(message).toContain('Python 3.11');
    expect(message).toContain('<3.11');
  });

  it('names the full interpreter version when given one', () => {
    const message = checkPythonSupported('0.11.0', '3.11.4');
    expect(message).toContain('0.11.0');
    expect(message).toContain('3.11.4');
  });

  it('accepts 0.11.0 on Python 3.10', () => {
    expect(checkPythonSupported('0.11.0', '3.10.12')).toBeNull();
  });

  it('accepts 0.15.0 on 3.11 and 3.12', () => {
    expect(checkPythonSupported('0.15.0', '3.11')).toBeNull();
    expect(checkPythonSupported('0.15.0', '3.12.3')).toBeNull();
  });

  it('refuses 0.12.0 and 0.14.0 on Python 3.12, accepts them on 3.11', () => {
    const message = checkPythonSupported('0.12.0', '3.12');
    expect(message).not.toBeNull();
    expect(message).toContain('0.12.0');
    expect(message).toContain('3.12');
    expect(checkPythonSupported('0.14.0', '3.12.1')).not.toBeNull();
    expect(checkPythonSupported('0.12.0', '3.11.9')).toBeNull();
  });

  it('accepts recent releases on recent Pythons', () => {
    expect(checkPythonSupported('0.16.1', '3.12')).toBeNull();
    expect(checkPythonSupported('0.19.0', '3.13.1')).toBeNull();
  });

  it('has nothing to say about a release outside the table', () => {
    expect(checkPythonSupported('0.0.9', '3.13')).toBeNull();
  });
});

describe('isValidVersion', () => {
  it.each(['0.16.0', '0.9.12', '1.0', '0.16.0rc1', '0.18.1b2', '0.16.0a1', '0.16.0.post1', '10.20.30'])('%s is valid', (v) => {
    expect(isValidVersion(v)).toBe(true);
  });

  it.each(['', '1', 'latest', 'v0.16.0', '0.16.0 ', ' 0.16.0', '0.16.0-dev', '0.16.0.dev1', '0.16.0rc', '>=0.16', '0.16.0;rm -rf /', '0..16', '0.16.'])(
    '%j is invalid',
    (v) => {
      expect(isValidVersion(v)).toBe(false);
    },
  );
});

describe('compareVersions', () => {
  it('compares numerically, not as text', () => {
    expect(compareVersions('0.9.0', '0.10.0')).toBeLessThan(0);
    expect(compareVersions('0.16.1', '0.16.0')).toBeGreaterThan(0);
    expect(compareVersions('0.16.0', '0.16.0')).toBe(0);
    expect(compareVersions('0.16.0rc1', '0.16.0')).toBeLessThan(0);
  });
});

describe('COMPAT_TABLE', () => {
  it('starts at 0.1.0 and only its last row is open-ended', () => {
    expect(COMPAT_TABLE[0]?.from).toBe('0.1.0');
    expect(COMPAT_TABLE.at(-1)?.to).toBeNull();
    expect(COMPAT_TABLE.slice(0, -1).every((row) => row.to !== null)).toBe(true);
  });

  it('rows are contiguous: each row ends where the next begins', () => {
    for (let k = 0; k + 1 < COMPAT_TABLE.length; k += 1) {
      expect(COMPAT_TABLE[k]?.to, `row ${k}`).toBe(COMPAT_TABLE[k + 1]?.from);
    }
  });

  it('rows are non-empty and ascending, so they do not overlap', () => {
    for (const row of COMPAT_TABLE) {
      expect(isValidVersion(row.from), row.from).toBe(true);
      if (row.to !== null) {
        expect(isValidVersion(row.to), row.to).toBe(true);
        expect(compareVersions(row.from, row.to), `${row.from}..${row.to}`).toBeLessThan(0);
      }
    }
  });

  it('every release belongs to exactly one row', () => {
    for (const v of ['0.1.0', '0.11.9', '0.12.0', '0.12.2', '0.13.0', '0.14.9', '0.15.0', '0.16.0', '0.16.1', '0.17.0', '0.18.1', '0.19.0', '1.0.0']) {
      const covering = COMPAT_TABLE.filter(
        (row) => compareVersions(v, row.from) >= 0 && (row.to === null || compareVersions(v, row.to) < 0),
      );
      expect(covering, v).toHaveLength(1);
      expect(rowFor(v)).toBe(covering[0]);
    }
  });

  it('a row covers its from and not its to', () => {
    for (let k = 0; k < COMPAT_TABLE.length; k += 1) {
      const row = COMPAT_TABLE[k];
      if (row === undefined) continue;
      expect(rowFor(row.from)).toBe(row);
      if (row.to !== null) expect(rowFor(row.to)).toBe(COMPAT_TABLE[k + 1]);
    }
  });

  it('every row pins numpy, gast, beniget and ply except the oldest, which pins only numpy', () => {
    expect(COMPAT_TABLE[0]?.requires).toEqual(['numpy<1.24']);
    for (const row of COMPAT_TABLE.slice(1)) {
      expect(row.requires.slice(0, 4).map((r) => r.split(/[<>=~!]/)[0])).toEqual(['numpy', 'gast', 'beniget', 'ply']);
    }
  });

  it('versions below the table have no row', () => {
    expect(rowFor('0.0.1')).toBeNull();
  });
});
