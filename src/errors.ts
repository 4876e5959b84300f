/**
 * The closed set of errors this tool raises on purpose.
 *
 * Every error a user can meet is one of these classes, or a subclass of one
 * (the pure core's `SpecSyntaxError` and `UnsupportedArgument` are
 * InputErrors). Each carries a `category`; `src/cli.ts` maps categories to
 * exit codes in one table and is the only place that sets an exit code.
 * Anything else that escapes is a bug and is reported as an internal error.
 *
 * No I/O here: `src/core/` may import this module.
 */

/** What went wrong, as far as the exit code is concerned. */
export type ErrorCategory = 'usage' | 'unjudged' | 'output' | 'cancelled' | 'nothing-to-reduce' | 'not-buildable';

abstract class LeakcheckError extends Error {
  abstract readonly category: ErrorCategory;
  /** A short hint telling the user what to do next. */
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/** Bad command line: unknown option, malformed value. */
export class UsageError extends LeakcheckError {
  readonly category = 'usage';
}

/**
 * Bad input: no such file, nothing exported, Pythran rejected the code, a bad
 * config. Subclassed in the core by `SpecSyntaxError` (a bad `# pythran
 * export` line) and `UnsupportedArgument` (no value can be made for a type).
 */
export class InputError extends LeakcheckError {
  readonly category = 'usage';
}

/** The Python environment could not be found, made or used. */
export class PythonEnvError extends LeakcheckError {
  readonly category = 'unjudged';
}

/** Pythran accepted the code but the C++ build failed (compiler, headers, linker). */
export class BuildError extends LeakcheckError {
  readonly category = 'unjudged';
}

/** The measuring subprocess broke the protocol, crashed outside user code, or could not start. */
export class HarnessError extends LeakcheckError {
  readonly category = 'unjudged';
}

/** The cache folder could not be read or written. */
export class CacheError extends LeakcheckError {
  readonly category = 'unjudged';
}

/**
 * An output file (`--report`, `--junit`, `--markdown`) cannot be written:
 * found before anything is measured, or when it is written. It concerns the
 * whole command, never one function's result.
 */
export class OutputError extends LeakcheckError {
  readonly category = 'output';
}

/** `reduce`: the function does not leak (measured once), or leaks only as plain Python too: there is nothing to reduce. */
export class NothingToReduceError extends LeakcheckError {
  readonly category = 'nothing-to-reduce';
}

/** `reduce`: the function does not build (Pythran rejects it or the C++ build fails): there is nothing to reduce. */
export class NotBuildableError extends LeakcheckError {
  readonly category = 'not-buildable';
}

/** The user pressed Ctrl-C (or the run was otherwise aborted). */
export class CancelledError extends LeakcheckError {
  readonly category = 'cancelled';
  constructor(message = 'cancelled') {
    super(message);
  }
}

export type KnownError =
  | UsageError
  | InputError
  | PythonEnvError
  | BuildError
  | HarnessError
  | CacheError
  | OutputError
  | NothingToReduceError
  | NotBuildableError
  | CancelledError;

export function isKnownError(error: unknown): error is KnownError {
  return error instanceof LeakcheckError;
}

/**
 * The error class names of the closed set: the values of a result's
 * `errorType` field (with `FunctionRaised`), and the `errorType` the README
 * documents for each. A subclass reports as its base class.
 */
export const ERROR_TYPES = [
  'UsageError',
  'InputError',
  'PythonEnvError',
  'BuildError',
  'HarnessError',
  'CacheError',
  'OutputError',
  'NothingToReduceError',
  'NotBuildableError',
  'CancelledError',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export function categoryOfErrorType(type: ErrorType): ErrorCategory {
  switch (type) {
    case 'UsageError':
    case 'InputError':
      return 'usage';
    case 'CancelledError':
      return 'cancelled';
    case 'OutputError':
      return 'output';
    case 'NothingToReduceError':
      return 'nothing-to-reduce';
    case 'NotBuildableError':
      return 'not-buildable';
    default:
      return 'unjudged';
  }
}
