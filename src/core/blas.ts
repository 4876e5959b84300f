/**
 * Which BLAS a Pythran build links, and what to say when there is none. Pure.
 *
 * Pythran's default configuration (`[compiler] blas=blas` in pythran-linux*.cfg,
 * every release from 0.12 to 0.19) wants the system's `cblas.h` and `-lblas`,
 * which a fresh machine does not have: every kernel that calls `np.dot`, `.dot`
 * or `@` then fails to compile. Managed environments therefore bring a BLAS
 * from PyPI and tell Pythran to use it with `--config compiler.blas=...`.
 *
 * The choice is `pythran-openblas` (0.3.6, a static libopenblas.a plus cblas.h
 * in a manylinux2014 x86_64 wheel): `compiler.blas=pythran-openblas` is a
 * reserved entry of pythran/config.py in every release the tool supports
 * (0.12.0 to 0.19.0), which adds its include folder and links the static
 * library into the module, so nothing has to be found at run time.
 *
 * `scipy-openblas32` does not work for these releases: its cblas.h declares
 * only prefixed symbols (`scipy_cblas_dgemm`), while pythran/pythonic/numpy/dot.hpp
 * up to 0.18.x calls `cblas_dgemm`, so `--config compiler.blas=scipy_openblas`
 * plus its include and library folders fails to compile (measured on 0.16.1 with
 * Python 3.11: "'cblas_dgemv' was not declared in this scope"). 0.19.0 added
 * `compiler.blas=scipy-openblas`, which means `scipy_openblas64` (not 32) and
 * only on that release and later (measured: builds and runs on 0.19.0; on 0.16.1
 * the setting is not a reserved entry and the build fails). pythran-openblas
 * builds on all of them (measured on 0.12.0, 0.15.0, 0.16.0, 0.16.1, 0.19.0 with
 * Python 3.11 and no system BLAS), so one choice serves every release and the
 * builds of a bisection stay comparable.
 *
 * A user's own choice wins: a `[compiler] blas` in their .pythranrc (or the
 * file PYTHRANRC names) is left alone, and with --python the user's interpreter
 * builds with their configuration, whatever it is.
 */

/** The PyPI package a managed environment installs for BLAS. */
export const BLAS_PACKAGE = 'pythran-openblas';

/**
 * Its requirement line. The package has one wheel (manylinux2014, x86_64): elsewhere it is
 * left out rather than built from source, and BLAS kernels then need a system BLAS
 * (the build error says so).
 */
export const BLAS_REQUIREMENT = `${BLAS_PACKAGE}; sys_platform == 'linux' and platform_machine == 'x86_64'`;

/** The `compiler.blas` value that selects it. */
export const MANAGED_BLAS = 'pythran-openblas';

/** Pythran's own default (pythran-linux.cfg): the system's libblas and cblas.h. */
export const PYTHRAN_DEFAULT_BLAS = 'blas';

export interface BlasChoice {
  /** The `compiler.blas` value Pythran builds with. */
  setting: string;
  /**
   * Where it comes from: `managed` (this tool's choice for a managed environment),
   * `pythranrc` (the user's configuration file), or `pythran-default` (nobody set it).
   */
  source: 'managed' | 'pythranrc' | 'pythran-default' | 'command-line';
  /** Extra arguments to Pythran's command line (`--config compiler.blas=...`), [] when none. */
  configArgs: string[];
  /** Version of the BLAS package installed in the environment, when it is one. */
  packageVersion: string | null;
}

/**
 * The `[compiler] blas` entry of a Pythran configuration file (INI, as configparser
 * reads it: `=` or `:`, case-insensitive keys, `;`/`#` comment lines); null when absent.
 */
export function rcBlas(text: string | null): string | null {
  if (text === null) return null;
  let section: string | null = null;
  let found: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const sec = /^\[([^\]]+)\]/.exec(line);
    if (sec !== null) {
      section = (sec[1] ?? '').trim();
      continue;
    }
    if (section !== 'compiler') continue;
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (kv !== null && (kv[1] ?? '').toLowerCase() === 'blas') found = (kv[2] ?? '').trim();
  }
  return found === '' ? null : found;
}

/**
 * The BLAS a build uses. For a managed environment with the BLAS package installed,
 * `pythran-openblas` unless the user's configuration file names one; for any other
 * environment (--python, python3 on PATH), the user's configuration as it is.
 */
export function chooseBlas(opts: { managed: boolean; rcText: string | null; blasPackageVersion: string | null }): BlasChoice {
  const mine = rcBlas(opts.rcText);
  if (mine !== null) return { setting: mine, source: 'pythranrc', configArgs: [], packageVersion: mine === MANAGED_BLAS ? opts.blasPackageVersion : null };
  if (opts.managed && opts.blasPackageVersion !== null) {
    return { setting: MANAGED_BLAS, source: 'managed', configArgs: ['--config', `compiler.blas=${MANAGED_BLAS}`], packageVersion: opts.blasPackageVersion };
  }
  return { setting: PYTHRAN_DEFAULT_BLAS, source: 'pythran-default', configArgs: [], packageVersion: null };
}

/**
 * The user's `--pythran-config key=value` settings on top of the environment's choice: each
 * becomes `--config key=value` on Pythran's command line, after the managed one, so a
 * `compiler.blas=` of theirs wins (and is what the report names).
 */
export function withPythranConfig(choice: BlasChoice, settings: readonly string[]): BlasChoice {
  if (settings.length === 0) return choice;
  const args = [...choice.configArgs, ...settings.flatMap((s) => ['--config', s])];
  const blas = [...settings].reverse().find((s) => s.startsWith('compiler.blas='));
  if (blas === undefined) return { ...choice, configArgs: args };
  const setting = blas.slice('compiler.blas='.length);
  return { setting, source: 'command-line', configArgs: args, packageVersion: setting === choice.setting ? choice.packageVersion : null };
}

/** One line for reports: `pythran-openblas 0.3.6 (managed)`, `openblas (.pythranrc)`, `blas (Pythran's default)`. */
export function blasLabel(choice: BlasChoice): string {
  const what = choice.packageVersion !== null ? `${choice.setting} ${choice.packageVersion}` : choice.setting;
  const from =
    choice.source === 'managed' ? 'managed' : choice.source === 'pythranrc' ? '.pythranrc' : choice.source === 'command-line' ? '--pythran-config' : "Pythran's default";
  return `${what} (${from})`;
}

export interface MissingPiece {
  /** What is missing, as the compiler or linker named it. */
  what: string;
  /** Two lines: what is missing, and how to fix it. */
  message: string;
  hint: string;
}

const FIX =
  "install a BLAS (Debian: 'apt-get install libopenblas-dev'), or use a managed environment (--pythran VERSION), which brings pythran-openblas from PyPI";

/**
 * A missing header or library in a compiler's output, with how to fix it; null when the
 * output is about something else. BLAS (cblas.h, -lblas, -lopenblas, Pythran's
 * "configured without BLAS") gets the BLAS fix; any other missing header or library is
 * named as it is.
 */
export function missingPiece(output: string, blas?: Pick<BlasChoice, 'source' | 'setting'> & { rcPath?: string | null }): MissingPiece | null {
  const header = /fatal error: ([^\s:]+): No such file or directory/.exec(output);
  const library = /cannot find -l\s*([\w.+-]+)/.exec(output);
  const noBlas = /pythran configured without BLAS but BLAS seem needed/.test(output);
  const blasHeader = header !== null && /^(cblas|openblas_config|f77blas)\.h$/.test(header[1] ?? '');
  const blasLib = library !== null && /^(blas|cblas|openblas\w*|satlas|atlas|mkl\w*)$/.test(library[1] ?? '');
  if ((noBlas || blasHeader || blasLib) && (blas?.source === 'pythranrc' || blas?.source === 'command-line')) {
    const what = noBlas ? 'BLAS' : blasHeader ? (header?.[1] ?? 'cblas.h') : `-l${library?.[1] ?? 'blas'}`;
    const undo =
      blas.source === 'pythranrc'
        ? `remove 'blas=${blas.setting}' from ${blas.rcPath ?? 'your .pythranrc'}`
        : `drop '--pythran-config compiler.blas=${blas.setting}'`;
    return {
      what,
      message: `${what}: not found: this code needs a BLAS (np.dot, .dot or @), and your configuration says compiler.blas=${blas.setting}.`,
      hint: `install that BLAS (Debian: 'apt-get install libopenblas-dev'), or ${undo} so that the managed environment's pythran-openblas is used`,
    };
  }
  if (noBlas) {
    return {
      what: 'BLAS',
      message: 'Pythran was configured without a BLAS (compiler.blas=none), but this code needs one (np.dot, .dot or @).',
      hint: FIX,
    };
  }
  if (blasHeader || blasLib) {
    const what = blasHeader ? (header?.[1] ?? 'cblas.h') : `-l${library?.[1] ?? 'blas'}`;
    return {
      what,
      message: `${what}: not found: this code needs a BLAS (np.dot, .dot or @) and the build found none.`,
      hint: FIX,
    };
  }
  if (header !== null) {
    const what = header[1] ?? '';
    return { what, message: `${what}: No such file or directory (a header the build includes is not installed).`, hint: `install the package that provides ${what}, or remove it from CXXFLAGS/.pythranrc if it was added there` };
  }
  if (library !== null) {
    const what = `-l${library[1] ?? ''}`;
    return { what, message: `${what}: the linker cannot find this library.`, hint: `install the library, or fix LDFLAGS/.pythranrc if it was added there` };
  }
  return null;
}
