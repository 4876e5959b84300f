/**
 * Naming a leak: what is left behind per call, where tracemalloc saw it
 * allocated, which buffer a native leak looks like, whether it scales with
 * the input, and whether it exists without Pythran. Pure.
 */
import type { Confirmation, ConfirmationPlan } from './confirm.js';
import type { Measurement } from './measure.js';
import type { FunctionJudgement } from './verdict.js';

/** Everything measured about one function: the first run and, for a leak, the follow-ups. */
export interface Investigation {
  first: Measurement;
  /** One uncompiled call with the same (generated) arguments: does plain Python accept them? Null when not checked. */
  domain?: Measurement | null;
  /** One long run in a fresh process, sized from the first run's noise (run only when the first run leaks). */
  confirmation: { plan: ConfirmationPlan; measurement: Measurement } | null;
  /** The function run as plain Python with NumPy, uncompiled (only for a leak). */
  interpreted: Measurement | null;
  /** The same call with twice the input size (only for a native-heap leak). */
  scaled: Measurement | null;
  /** Wall seconds of each process above (null: not run), and of the whole investigation. */
  timings?: InvestigationTimings;
}

export interface InvestigationTimings {
  measure: number;
  domain: number | null;
  replicate: number | null;
  control: number | null;
  scaled: number | null;
  total: number;
}

export interface Diagnosis {
  /** Objects left alive per call, by type (only GC-tracked types: arrays and scalars are invisible here). */
  types: Array<{ type: string; perCall: number }>;
  /** tracemalloc: where traced memory grew, per call. */
  sites: Array<{ where: string; bytesPerCall: number; blocksPerCall: number }>;
  /** tracemalloc: sizes of the blocks left behind, per call. */
  sizes: Array<{ size: number; perCall: number }>;
  /** A native leak compared with the sizes of the arrays involved. */
  buffer: string | null;
  /** Native growth at twice the input size, and what that says. */
  scaling: { bytesPerCall: number; ratio: number; reading: 'proportional' | 'fixed' | 'unclear' } | null;
  /** The uncompiled control. */
  interpreted: { verdict: string; kind: string | null; message: string } | null;
  /** The confirmation in a fresh process, in short. */
  replicate: { verdict: string; message: string } | null;
  /** The confirmation in full: each signal's growth per call in the first process's batches and over the long run. */
  confirmation: Confirmation | null;
}

/** Objects per call worth naming: at least one every other call. */
const TYPE_FLOOR = 0.5;

function perCallOf(j: FunctionJudgement, name: string): number | null {
  const s = j.signals.find((x) => x.name === name);
  return s !== undefined && Number.isFinite(s.perCall.estimate) ? s.perCall.estimate : null;
}

export function summary(m: Measurement): { verdict: string; kind: string | null; message: string } {
  switch (m.status) {
    case 'judged':
      return { verdict: m.judgement.verdict, kind: m.judgement.kind, message: m.judgement.reason };
    case 'raised':
      return { verdict: 'error', kind: null, message: `${m.error.exception}: ${m.error.message}` };
    case 'crash':
      return { verdict: 'crash', kind: null, message: m.signal ?? `exit ${m.exitCode ?? '?'}` };
    case 'timeout':
      return { verdict: 'timeout', kind: null, message: 'timed out' };
    case 'broken':
      return { verdict: 'error', kind: null, message: m.reason };
  }
}

/** Which array a native leak of `bytes` per call looks like: within 10% or 64 B of its data size. */
export function likelyBuffer(bytes: number, args: readonly string[], argBytes: ReadonlyArray<number | null>, result: string, resultBytes: number | null): string | null {
  const close = (size: number) => size > 0 && Math.abs(bytes - size) <= Math.max(64, 0.1 * size);
  const hits: string[] = [];
  argBytes.forEach((size, i) => {
    if (size !== null && close(size)) hits.push(`argument ${i + 1} (${args[i] ?? '?'}, ${size} B)`);
  });
  if (resultBytes !== null && close(resultBytes)) hits.push(`the returned value (${result}, ${resultBytes} B)`);
  if (hits.length === 0) return null;
  return `about the size of ${hits.join(' or ')}: a buffer of that size is likely lost on every call`;
}

export function diagnose(inv: Investigation, confirmation: Confirmation | null = null): Diagnosis | null {
  const m = inv.first;
  if (m.status !== 'judged') return null;
  const calls = m.sites?.calls ?? 0;
  const types = m.types.filter((t) => t.perCall >= TYPE_FLOOR).slice(0, 6);
  const sites =
    calls > 0 && m.sites !== null
      ? m.sites.sites.map((s) => ({ where: s.where, bytesPerCall: s.bytes / calls, blocksPerCall: s.blocks / calls })).filter((s) => s.blocksPerCall >= 0.1)
      : [];
  const sizes =
    calls > 0 && m.sites !== null ? m.sites.sizes.map((s) => ({ size: s.size, perCall: s.blocks / calls })).filter((s) => s.perCall >= TYPE_FLOOR) : [];

  const native = perCallOf(m.judgement, 'native');
  let buffer: string | null = null;
  let scaling: Diagnosis['scaling'] = null;
  if (m.judgement.kind === 'native-heap' && native !== null) {
    buffer = likelyBuffer(native, m.ready.args, m.ready.argBytes, m.ready.result, m.ready.resultBytes);
    if (inv.scaled?.status === 'judged') {
      const scaledNative = perCallOf(inv.scaled.judgement, 'native');
      if (scaledNative !== null && native > 0) {
        const ratio = scaledNative / native;
        scaling = { bytesPerCall: scaledNative, ratio, reading: ratio >= 1.6 ? 'proportional' : ratio <= 1.25 ? 'fixed' : 'unclear' };
      }
    }
  }
  return {
    types,
    sites,
    sizes,
    buffer,
    scaling,
    interpreted: inv.interpreted === null ? null : summary(inv.interpreted),
    replicate: confirmationSummary(inv, confirmation),
    confirmation,
  };
}

function confirmationSummary(inv: Investigation, c: Confirmation | null): Diagnosis['replicate'] {
  if (inv.confirmation === null) return null;
  if (c === null) {
    const s = summary(inv.confirmation.measurement);
    return { verdict: s.verdict === 'error' || s.verdict === 'crash' || s.verdict === 'timeout' ? s.verdict : 'inconclusive', message: s.message };
  }
  const parts = c.signals.map((s) => `${s.name} ${s.perCall === null ? 'unread' : s.perCall.toFixed(2)} ± ${s.margin.toFixed(2)}/call`);
  return { verdict: c.verdict, message: `one run of ${c.calls} calls in a fresh process: ${parts.join(', ')}` };
}

/** Whose leak it is: Pythran's when the uncompiled control is ok, the code's own when it leaks too. */
export function ownerOf(verdict: string, d: Diagnosis | null): 'pythran' | 'code' | null {
  if (verdict !== 'leak' || d === null || d.interpreted === null) return null;
  if (d.interpreted.verdict === 'ok') return 'pythran';
  if (d.interpreted.verdict === 'leak') return 'code';
  return null;
}

/** Lines a person reads under a leak: what leaks, where, and whether Pythran is to blame. */
export function describeDiagnosis(d: Pick<Diagnosis, 'types' | 'sizes' | 'sites' | 'buffer' | 'scaling' | 'interpreted'>, verdict: string): string[] {
  const lines: string[] = [];
  const n = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
  if (d.types.length > 0) lines.push(`left alive per call: ${d.types.map((t) => `${n(t.perCall)} ${t.type}`).join(', ')}`);
  if (d.sizes.length > 0) lines.push(`traced blocks left per call: ${d.sizes.map((s) => `${n(s.perCall)} x ${s.size} B`).join(', ')}`);
  if (d.sites.length > 0) {
    // Memory allocated by compiled code is charged to the harness line that made the call.
    const where = (w: string) => (w.startsWith('harness.py:') ? 'inside the call itself (compiled code, no Python line)' : w);
    lines.push(`allocated at: ${d.sites.map((s) => `${where(s.where)} (+${n(s.bytesPerCall)} B/call)`).join(', ')}`);
  }
  if (d.buffer !== null) lines.push(d.buffer);
  if (d.scaling !== null) {
    const what =
      d.scaling.reading === 'proportional' ? 'grows with the input' : d.scaling.reading === 'fixed' ? 'does not depend on the input size' : 'changes with the input, but not in proportion';
    lines.push(`at twice the input size: ${n(d.scaling.bytesPerCall)} B/call (x${d.scaling.ratio.toFixed(2)}): the leak ${what}`);
  }
  if (d.interpreted !== null) {
    const only = verdict === 'leak' && d.interpreted.verdict === 'ok';
    lines.push(
      only
        ? 'uncompiled (plain Python + NumPy): ok -- the leak exists only when compiled by Pythran'
        : `uncompiled (plain Python + NumPy): ${d.interpreted.verdict}${d.interpreted.kind !== null ? ` (${d.interpreted.kind})` : ''}${
            d.interpreted.verdict === 'leak' ? " -- the code's own leak: it leaks in plain Python too, so it is not Pythran's" : ''
          }`,
    );
  }
  return lines;
}
