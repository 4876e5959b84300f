/**
 * The C++ compiler's own diagnostics, picked out of a failed Pythran build's
 * output (Pythran run with -v, so the compiler's messages are passed on). Pure.
 *
 * What a user needs first: the first `file:line:col: error: ...` lines with the
 * code they point at, which exported function's generated code failed (g++ names
 * it `__pythran_<module>::<function>`), and which Pythran construct was involved
 * where it can be told (a pythonic header such as pythonic/numpy/dot.hpp is
 * numpy.dot; a type such as pythonic::builtins::range is builtins.range).
 */

export interface CompilerDiagnostics {
  /** The first distinct errors, each with the source line the compiler quoted (if any). */
  errors: string[];
  /** The exported Python function whose generated code failed, when g++ says. */
  function: string | null;
  /** The Pythran construct involved (`numpy.dot`, `builtins.range`), when it can be told. */
  construct: string | null;
  /** Total number of `error:` lines in the output. */
  count: number;
  /**
   * The first line of the generated C++ file (not a header) that the compiler quotes at an
   * error or a "required from here": where the failing Python statement's code is.
   */
  generatedCode: string | null;
}

const ERROR_LINE = /^(\S[^:]*?)(?::(\d+))?(?::(\d+))?: (?:fatal )?error: /;
const QUOTED_CODE = /^\s*\d+\s*\|\s?(.*)$/;
const FUNCTION = /__pythran_\w+::(\w+)::(?:operator\(\)|type)/;

/** `pythonic/numpy/dot.hpp` -> `numpy.dot`; `pythonic/include/builtins/list/append.hpp` -> `builtins.list.append`. */
export function constructOfHeader(file: string): string | null {
  const m = /pythonic\/(?:include\/)?((?:[\w]+\/)*\w+)\.hpp$/.exec(file);
  if (m === null) return null;
  const parts = (m[1] ?? '').split('/');
  if (parts[0] === 'types' || parts[0] === 'utils' || parts[0] === 'python') return `pythonic ${parts.join('/')}`;
  return parts.join('.');
}

/** `pythonic::builtins::range` in an error message -> `builtins.range`. */
function constructOfMessage(message: string): string | null {
  const m = /pythonic::((?:builtins|numpy|math|cmath|random|time|string|bisect|itertools|functools|operator_|os|scipy|array|omp)(?:::functor)?(?:::\w+)+)/.exec(message);
  if (m === null) return null;
  return (m[1] ?? '').replace('::functor', '').replace('operator_', 'operator').split('::').join('.');
}

function shorten(text: string, max: number): string {
  const t = text.replace(/\{anonymous\}::/g, '').trim();
  return t.length <= max ? t : `${t.slice(0, max - 3)}...`;
}

/** The first `limit` distinct errors of the output and what can be told about them. */
export function compilerDiagnostics(output: string, limit = 3): CompilerDiagnostics {
  const lines = output.split('\n').map((l) => l.trimEnd());
  const errors: string[] = [];
  const seen = new Set<string>();
  let count = 0;
  let construct: string | null = null;
  let fn: string | null = null;
  let generatedCode: string | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (generatedCode === null && /^\S+\.cpp:\d+:\d+: /.test(line)) {
      const quoted = QUOTED_CODE.exec(lines[i + 1] ?? '');
      if (quoted !== null && (quoted[1] ?? '').trim() !== '') generatedCode = (quoted[1] ?? '').trim();
    }
    if (fn === null) {
      const f = FUNCTION.exec(line);
      if (f !== null && (line.includes('In instantiation of') || line.includes('In member function') || line.includes('required from'))) fn = f[1] ?? null;
    }
    const m = ERROR_LINE.exec(line);
    if (m === null || line.startsWith('E: error: Command')) continue;
    count += 1;
    const message = line.slice(m[0].length);
    construct ??= constructOfHeader(m[1] ?? '') ?? constructOfMessage(message);
    // The same error repeated for each instantiation counts once.
    const key = message;
    if (seen.has(key) || errors.length >= limit) continue;
    seen.add(key);
    const code = QUOTED_CODE.exec(lines[i + 1] ?? '');
    errors.push(code !== null && (code[1] ?? '').trim() !== '' ? `${shorten(line, 300)}\n    ${shorten(code[1] ?? '', 160)}` : shorten(line, 300));
  }
  // For a fatal error in a pythonic header, the function is told by "In file included from" chains only
  // through the generated file, which names no function: leave it null.
  return { errors, function: fn, construct, count, generatedCode };
}

/**
 * The Python statement behind a line of generated C++: Pythran's annotated C++
 * (`--config backend.annotate=1`) has each statement's Python line as a `//` comment
 * before its code. Finds `code` there, walks up to the nearest such comment (a `def`
 * line only when nothing closer), and finds that line in the Python source.
 */
export function pythonStatementFor(annotatedCpp: string, code: string, source: string): { line: number | null; text: string } | null {
  const cpp = annotatedCpp.split('\n');
  const want = code.trim();
  const at = cpp.findIndex((l) => l.trim() === want);
  if (at < 0 || want === '') return null;
  let def: string | null = null;
  for (let k = at - 1; k >= 0; k -= 1) {
    const m = /^\s*\/\/ ?(.*)$/.exec(cpp[k] ?? '');
    if (m === null) continue;
    const text = (m[1] ?? '').trimEnd();
    if (/^\s*def\s/.test(text)) {
      def ??= text;
      continue;
    }
    return locate(text, source);
  }
  return def === null ? null : locate(def, source);
}

function locate(text: string, source: string): { line: number | null; text: string } {
  const lines = source.split(/\r?\n/);
  const k = lines.findIndex((l) => l.trimEnd() === text || l.trim() === text.trim());
  return { line: k >= 0 ? k + 1 : null, text: text.trim() };
}
