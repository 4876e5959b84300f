/**
 * A repro cut down to the functions a bisection is about: the `# pythran
 * export` lines of every other function are blanked (the code stays, so
 * helpers are still there; Pythran compiles only what an export reaches), so
 * each point builds one function instead of the whole file. Pure.
 */
import { parseExports } from './signature.js';

/**
 * `source` with the export lines that name only functions not in `keep`
 * emptied (line numbers unchanged). Lines that export capsules, ufuncs or
 * variables stay, and so does any line that names a kept function. When the
 * result would not export exactly the kept functions' signatures (an export
 * spread over continuation lines, say), the source is returned as it is.
 */
export function keepExports(source: string, keep: readonly string[]): string {
  let exports;
  try {
    exports = parseExports(source);
  } catch {
    return source;
  }
  const byLine = new Map<number, typeof exports>();
  for (const e of exports) byLine.set(e.line, [...(byLine.get(e.line) ?? []), e]);
  const drop = new Set<number>();
  for (const [line, es] of byLine) {
    if (es.every((e) => e.flavour === 'function' && e.params !== null && !keep.includes(e.name))) drop.add(line);
  }
  if (drop.size === 0) return source;
  const lines = source.split('\n');
  const trimmed = lines.map((text, i) => (drop.has(i + 1) ? '' : text)).join('\n');
  const expected = exports.filter((e) => !drop.has(e.line)).map((e) => `${e.name}:${e.text}`);
  let got: string[];
  try {
    got = parseExports(trimmed).map((e) => `${e.name}:${e.text}`);
  } catch {
    return source;
  }
  return JSON.stringify(got) === JSON.stringify(expected) ? trimmed : source;
}
