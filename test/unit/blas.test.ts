import { describe, expect, it } from 'vitest';
import { blasLabel, chooseBlas, missingPiece, rcBlas, BLAS_REQUIREMENT } from '../../src/core/blas.js';
import { dependencySet } from '../../src/core/compat.js';

describe('rcBlas', () => {
  it('reads [compiler] blas as configparser does', () => {
    expect(rcBlas('[compiler]\nblas=openblas\n')).toBe('openblas');
    expect(rcBlas('[compiler]\nCXX = clang++\nBLAS : mkl_rt\n')).toBe('mkl_rt');
    expect(rcBlas('# a comment\n[pythran]\nblas=x\n[compiler]\n; blas=no\ncflags=-O2\n')).toBeNull();
    expect(rcBlas('[compiler]\nblas=\n')).toBeNull();
    expect(rcBlas(null)).toBeNull();
  });
});

describe('chooseBlas', () => {
  it('a managed environment with the package uses pythran-openblas through --config', () => {
    const c = chooseBlas({ managed: true, rcText: null, blasPackageVersion: '0.3.6' });
    expect(c).toEqual({ setting: 'pythran-openblas', source: 'managed', configArgs: ['--config', 'compiler.blas=pythran-openblas'], packageVersion: '0.3.6' });
    expect(blasLabel(c)).toBe('pythran-openblas 0.3.6 (managed)');
  });

  it("the user's .pythranrc wins, in a managed environment too", () => {
    const c = chooseBlas({ managed: true, rcText: '[compiler]\nblas=openblas\n', blasPackageVersion: '0.3.6' });
    expect(c).toMatchObject({ setting: 'openblas', source: 'pythranrc', configArgs: [] });
    expect(blasLabel(c)).toBe('openblas (.pythranrc)');
  });

  it("--python: the user's interpreter keeps Pythran's configuration (no --config)", () => {
    const c = chooseBlas({ managed: false, rcText: '[compiler]\nCXX=g++\n', blasPackageVersion: '0.3.6' });
    expect(c).toMatchObject({ setting: 'blas', source: 'pythran-default', configArgs: [] });
    expect(blasLabel(c)).toBe("blas (Pythran's default)");
  });

  it('a managed environment made before the BLAS package (or on a platform without its wheel) gets the default', () => {
    expect(chooseBlas({ managed: true, rcText: null, blasPackageVersion: null })).toMatchObject({ setting: 'blas', configArgs: [] });
  });
});

describe('the BLAS package is part of every dependency set (and so of the environment key)', () => {
  it.each(['0.12.0', '0.15.0', '0.16.1', '0.19.0'])('%s', (v) => {
    expect(dependencySet(v)).toContain(BLAS_REQUIREMENT);
    expect(BLAS_REQUIREMENT).toMatch(/^pythran-openblas; /);
  });
});

describe('missingPiece', () => {
  it('cblas.h missing: names it and how to fix it', () => {
    const m = missingPiece('/x/pythran/pythonic/numpy/dot.hpp:18:10: fatal error: cblas.h: No such file or directory\n   18 | #include <cblas.h>');
    expect(m?.what).toBe('cblas.h');
    expect(m?.message).toContain('cblas.h');
    expect(m?.hint).toContain('apt-get install libopenblas-dev');
    expect(m?.hint).toContain('--pythran VERSION');
  });

  it('a missing BLAS library at link time', () => {
    expect(missingPiece('/usr/bin/ld: cannot find -lblas: No such file or directory')?.what).toBe('-lblas');
    expect(missingPiece('/usr/bin/ld: cannot find -lopenblas')?.hint).toContain('pythran-openblas');
  });

  it('Pythran configured with blas=none', () => {
    expect(missingPiece('dot.hpp:12:2: error: #error pythran configured without BLAS but BLAS seem needed')?.what).toBe('BLAS');
  });

  it('another missing header is named as it is', () => {
    const m = missingPiece('<command-line>: fatal error: nonexistent_header.h: No such file or directory');
    expect(m?.what).toBe('nonexistent_header.h');
    expect(m?.hint).not.toContain('BLAS');
  });

  it('null for anything else', () => {
    expect(missingPiece("error: 'foo' was not declared in this scope")).toBeNull();
  });
});
