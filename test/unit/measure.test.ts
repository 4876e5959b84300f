import { describe, expect, it } from 'vitest';
import { measure, type MeasureOptions } from '../../src/core/measure.js';
import { parseHarnessLine, type HarnessCommand, type ParsedLine } from '../../src/core/protocol.js';
import type { HarnessSession } from '../../src/core/measure.js';
import { DEFAULT_RULE, DEFAULT_THRESHOLDS } from '../../src/core/verdict.js';
import { recordedLines, replay } from '../support/fake-session.js';

const opts: MeasureOptions = { thresholds: DEFAULT_THRESHOLDS, rule: DEFAULT_RULE, budgetSeconds: 10, plainShare: 0.6 };

describe('measure, replaying recorded harness streams', () => {
  it('judges the seed leak (Pythran 0.15.0, simpler_leak) as python objects, 3 blocks and 168 B per call', async () => {
    const session = replay('leaky');
    const m = await measure(session, opts);
    expect(m.status).toBe('judged');
    if (m.status !== 'judged') return;
    expect(m.judgement.verdict).toBe('leak');
    expect(m.judgement.kind).toBe('python-objects');
    const blocks = m.judgement.signals.find((s) => s.name === 'blocks');
    const python = m.judgement.signals.find((s) => s.name === 'python');
    expect(blocks?.perCall.estimate).toBeCloseTo(3, 2);
    expect(python?.perCall.estimate).toBeCloseTo(168, 0);
    // One "next" per phase: the tool, not the harness, decides when a phase has seen enough.
    expect(session.commands).toEqual(['next', 'next']);
  });

  it('judges the copy-returning twin as ok', async () => {
    const m = await measure(replay('flat'), opts);
    expect(m.status === 'judged' && m.judgement.verdict).toBe('ok');
  });

  it('reports a segfault as a crash with the stack the harness printed', async () => {
    const m = await measure(replay('crash'), opts);
    expect(m).toMatchObject({ status: 'crash', signal: 'SIGSEGV' });
    expect(m.status === 'crash' && m.stderrTail).toContain('Segmentation fault');
  });

  it('stops at the first line that is not protocol, and kills the harness', async () => {
    const session = replay('garbage');
    const m = await measure(session, opts);
    expect(m.status).toBe('broken');
    expect(m.status === 'broken' && m.reason).toMatch(/not JSON/);
    expect(session.killed).toBe(true);
  });

  it('rejects a well-formed line with an invalid field', async () => {
    const m = await measure(replay('badfield'), opts);
    expect(m.status).toBe('broken');
  });

  it('reports an exception raised by the function', async () => {
    const m = await measure(replay('raised'), opts);
    expect(m).toMatchObject({ status: 'raised', error: { exception: 'IndexError', stage: 'call' } });
  });

  it('is inconclusive, never ok, when the budget ends a phase before it settles', async () => {
    const m = await measure(replay('flat'), { ...opts, budgetSeconds: 0 });
    expect(m.status === 'judged' && m.judgement.verdict).toBe('inconclusive');
  });
});

/**
 * The flat stream, but the harness, like a real one between two polls, sends one more plain
 * sample after the tool's "next": a reading with 288 more bytes on the native heap.
 */
function lateSample(): HarnessSession & { commands: HarnessCommand[] } {
  const raw = recordedLines('flat');
  const commands: HarnessCommand[] = [];
  let skipping = false;
  let lastPlain: Record<string, unknown> | null = null;
  const session = {
    commands,
    async *lines(): AsyncIterable<ParsedLine> {
      for (const line of raw) {
        const msg = JSON.parse(line) as Record<string, unknown>;
        if (msg.type === 'phase') skipping = false;
        if (msg.type === 'sample' && skipping) continue;
        if (msg.type === 'sample' && msg.phase === 'plain') lastPlain = msg;
        yield parseHarnessLine(line);
        if (msg.type === 'sample' && msg.phase === 'plain' && commands.includes('next') && lastPlain !== null) {
          const late = { ...lastPlain, calls: (lastPlain.calls as number) + 1, seconds: (lastPlain.seconds as number) + 0.001, native: (lastPlain.native as number) + 288 };
          yield parseHarnessLine(JSON.stringify(late));
          skipping = true;
          lastPlain = null;
        }
      }
    },
    send(command: HarnessCommand) {
      commands.push(command);
    },
    kill() {},
    finish: () => Promise.resolve({ exitCode: 0, signal: null, timedOut: false, stderrTail: '' }),
  };
  return session;
}

describe('a phase the tool has ended', () => {
  it('is judged on the readings it decided on, not on one that arrived after its "next"', async () => {
    const session = lateSample();
    const m = await measure(session, opts);
    expect(session.commands[0]).toBe('next');
    expect(m.status === 'judged' && m.judgement.verdict).toBe('ok');
  });
});

describe('parseHarnessLine', () => {
  it('accepts every recorded message', () => {
    for (const line of recordedLines('leaky')) expect(parseHarnessLine(line).ok).toBe(true);
  });
  it('refuses unknown message types and wrong protocol versions', () => {
    expect(parseHarnessLine('{"type":"bogus"}').ok).toBe(false);
    const hello = recordedLines('leaky')[0] ?? '';
    expect(parseHarnessLine(hello.replace('"protocol":2', '"protocol":1')).ok).toBe(false);
  });
  it('refuses non-JSON without throwing', () => {
    const r = parseHarnessLine('Traceback (most recent call last):');
    expect(r).toMatchObject({ ok: false });
  });
});
