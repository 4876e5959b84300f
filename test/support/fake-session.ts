/**
 * A HarnessSession that replays a recorded stream (test/fixtures/streams/*.jsonl).
 * Each line is a harness message as python/harness.py wrote it (or deliberate
 * garbage); the last line is {"end": {...}}, how the process ended.
 * Like the real harness, a "next" command skips the rest of the current phase.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHarnessLine, type HarnessCommand, type ParsedLine } from '../../src/core/protocol.js';
import type { HarnessSession, SessionEnd } from '../../src/core/measure.js';

const STREAMS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'streams');

export interface FakeSession extends HarnessSession {
  commands: HarnessCommand[];
  killed: boolean;
}

export function replay(name: string): FakeSession {
  const raw = readFileSync(path.join(STREAMS, `${name}.jsonl`), 'utf8').trimEnd().split('\n');
  const endLine = raw.pop() ?? '{}';
  const end = (JSON.parse(endLine) as { end: Omit<SessionEnd, "timedOut"> & { timedOut?: boolean } }).end;
  const commands: HarnessCommand[] = [];
  let skipPhase = false;
  const session: FakeSession = {
    commands,
    killed: false,
    async *lines(): AsyncIterable<ParsedLine> {
      for (const line of raw) {
        if (session.killed) return;
        const parsed = parseHarnessLine(line);
        if (parsed.ok && parsed.message.type === 'phase') skipPhase = false;
        if (parsed.ok && parsed.message.type === 'sample' && skipPhase) continue;
        yield parsed;
      }
    },
    send(command) {
      commands.push(command);
      if (command === 'next') skipPhase = true;
    },
    kill() {
      session.killed = true;
    },
    async finish() {
      return { ...end, timedOut: end.timedOut ?? false };
    },
  };
  return session;
}

/** Messages of a recorded stream, for tests that build their own variations. */
export function recordedLines(name: string): string[] {
  const raw = readFileSync(path.join(STREAMS, `${name}.jsonl`), 'utf8').trimEnd().split('\n');
  raw.pop();
  return raw;
}
