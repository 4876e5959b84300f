/**
 * Runs the built CLI (bin/pythran-leakcheck.js -> dist/) as a user would, in
 * a real subprocess. Tests that use it build with real Pythran releases.
 */
import { execa } from 'execa';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'pythran-leakcheck.js');
export const REPROS = path.join(ROOT, 'repros');

/** Shared across test runs so managed environments and builds are made once per machine. */
export const TEST_CACHE = process.env.PYTHRAN_LEAKCHECK_TEST_CACHE ?? path.join(os.tmpdir(), 'pythran-leakcheck-test-cache');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  const res = await execa('node', [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { PYTHRAN_LEAKCHECK_CACHE: TEST_CACHE, NO_COLOR: '1', ...opts.env },
    reject: false,
    timeout: opts.timeoutMs ?? 20 * 60_000,
    stdin: 'ignore',
  });
  return { code: res.exitCode ?? -1, stdout: String(res.stdout), stderr: String(res.stderr) };
}

export interface JsonResult {
  file: string;
  function: string | null;
  verdict: string;
  kind: string | null;
  bytesPerCall: { rss: number | null; native: number | null; python: number | null };
  blocksPerCall: number | null;
  refsPerCall: Array<number | null>;
  calls: number;
  message: string | null;
  errorType: string | null;
  build: { cached: boolean; seconds: number } | null;
  rulesOutAbove: number | null;
  diagnosis: {
    types: Array<{ type: string; perCall: number }>;
    sizes: Array<{ size: number; perCall: number }>;
    buffer: string | null;
    scaling: { bytesPerCall: number; ratio: number; reading: string } | null;
    interpreted: { verdict: string; kind: string | null; message: string } | null;
    replicate: { verdict: string; message: string } | null;
  } | null;
}

export interface JsonReport {
  schemaVersion: number;
  environment: { pythran: { version: string; commit: string | null }; numpy: string; python: string; compiler: string } | null;
  results: JsonResult[];
}

/** Run with --json and parse stdout, which must be exactly one JSON document. */
export async function cliJson(args: string[], opts: Parameters<typeof cli>[1] = {}): Promise<CliResult & { report: JsonReport }> {
  const res = await cli([...args, '--json'], opts);
  let report: JsonReport;
  try {
    report = JSON.parse(res.stdout) as JsonReport;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${res.code}):\n${res.stdout.slice(0, 2000)}\nstderr:\n${res.stderr.slice(0, 2000)}`);
  }
  return { ...res, report };
}

export function byFunction(report: JsonReport, fn: string): JsonResult {
  const r = report.results.find((x) => x.function === fn);
  if (r === undefined) throw new Error(`no result for ${fn} in ${JSON.stringify(report.results.map((x) => x.function))}`);
  return r;
}
