/**
 * Harness processes forked from one warm interpreter per environment
 * (python/zygote.py), as forkserver-style runners do: the interpreter start and
 * the numpy import are paid once per run, not once per measurement.
 *
 * Each forked child is a whole harness session: it connects to a Unix socket
 * this side listens on (one per session) and speaks the harness protocol over
 * it both ways; its stdout/stderr go to a file read at the end; its exit
 * status comes from the zygote, which is its parent. When the zygote cannot
 * start (no fork, a broken numpy), sessions fall back to fresh interpreters.
 *
 * Written by hand: Node has no forkserver of its own, and a Python one
 * (multiprocessing's) would put a second protocol between the tool and the
 * harness.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import type { HarnessSession, SessionEnd } from '../core/measure.js';
import { parseHarnessLine, PROTOCOL_VERSION, type HarnessCommand, type HarnessConfig, type ParsedLine } from '../core/protocol.js';
import type { HarnessPort, SessionOptions } from '../pipeline/ports.js';
import { killGroup, spawn } from './exec.js';
import { startHarness, TAIL_BYTES } from './harness.js';
import { safeJson } from './probe.js';
import { PYTHON_DIR, type PythonEnv } from './python-env.js';

const ZygoteEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({ type: z.literal('forked'), id: z.number().int(), pid: z.number().int() }),
  z.object({ type: z.literal('exit'), id: z.number().int(), code: z.number().int().nullable(), signal: z.string().nullable() }),
  z.object({ type: z.literal('error'), id: z.number().int().nullable(), message: z.string() }),
]);

interface Exit {
  code: number | null;
  signal: string | null;
  /** Why the child never ran or was lost, when this side knows. */
  note?: string;
}

/** A zygote lives as long as the command that started it (which closes it): this bounds it should nothing else end it. */
const ZYGOTE_TIMEOUT_MS = 24 * 3600 * 1000;
/** Time allowed for the zygote's imports before sessions fall back to fresh interpreters. */
const READY_TIMEOUT_MS = 120_000;

/** A Unix socket's path must fit in about 100 bytes: a long $TMPDIR gives way to /tmp. */
function socketParent(): string {
  const tmp = os.tmpdir();
  return tmp.length <= 60 || !existsSync('/tmp') ? tmp : '/tmp';
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

class Zygote {
  /** Resolves true once the zygote has imported everything, false if it never will. */
  readonly ready: Promise<boolean>;
  /** Sockets and output files of its sessions. */
  readonly dir: string;
  private readonly stdin: Writable;
  private readonly children = new Map<number, { forked: ReturnType<typeof deferred<number | null>>; exited: ReturnType<typeof deferred<Exit>> }>();
  private nextId = 1;
  private alive = true;
  private stderrTail = '';
  private readonly done: Promise<void>;

  constructor(env: PythonEnv, signal: AbortSignal) {
    this.dir = mkdtempSync(path.join(socketParent(), 'plc-'));
    const child = spawn(env.python, ['-X', 'faulthandler', path.join(PYTHON_DIR, 'zygote.py')], {
      timeoutMs: ZYGOTE_TIMEOUT_MS,
      signal,
      cwd: this.dir,
      env: { ...env.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
      extraFds: 1,
    });
    const stdin = child.stdin;
    const events = child.stdio[3] as Readable | undefined;
    if (stdin === null || events === undefined) throw new Error('zygote pipes were not created');
    this.stdin = stdin;
    stdin.on('error', () => undefined);
    child.stderr?.on('data', (c: Buffer) => {
      this.stderrTail = (this.stderrTail + c.toString()).slice(-TAIL_BYTES);
    });

    const ready = deferred<boolean>();
    this.ready = ready.promise;
    const readyTimer = setTimeout(() => ready.resolve(false), READY_TIMEOUT_MS);
    const rl = readline.createInterface({ input: events, crlfDelay: Infinity });
    rl.on('line', (line) => {
      const parsed = ZygoteEvent.safeParse(safeJson(line));
      if (!parsed.success) return;
      const ev = parsed.data;
      if (ev.type === 'ready') {
        clearTimeout(readyTimer);
        ready.resolve(true);
      } else if (ev.type === 'forked') this.children.get(ev.id)?.forked.resolve(ev.pid);
      else if (ev.type === 'exit') this.children.get(ev.id)?.exited.resolve({ code: ev.code, signal: ev.signal });
      else if (ev.id !== null) {
        this.children.get(ev.id)?.forked.resolve(null);
        this.children.get(ev.id)?.exited.resolve({ code: null, signal: null, note: ev.message });
      }
    });
    const gone = () => {
      this.alive = false;
      clearTimeout(readyTimer);
      ready.resolve(false);
      // Its children's exit statuses went with it: say so rather than wait for them.
      for (const c of this.children.values()) {
        c.forked.resolve(null);
        c.exited.resolve({ code: null, signal: 'SIGKILL', note: `the warm interpreter it was forked from ended${this.stderrTail === '' ? '' : `: ${this.stderrTail}`}` });
      }
      rmSync(this.dir, { recursive: true, force: true });
    };
    this.done = child.then(gone, gone);
  }

  /** End of stdin: the zygote kills its children and exits. */
  async close(): Promise<void> {
    this.stdin.end();
    await this.done;
  }

  get usable(): boolean {
    return this.alive;
  }

  /** Ask for a child; the caller listens on `socket` first. */
  fork(config: HarnessConfig, cwd: string) {
    const id = this.nextId++;
    const entry = { forked: deferred<number | null>(), exited: deferred<Exit>() };
    this.children.set(id, entry);
    void entry.exited.promise.then(() => this.children.delete(id));
    const socket = path.join(this.dir, `${id}.sock`);
    const output = path.join(this.dir, `${id}.out`);
    return {
      socket,
      output,
      /** No child will come: end as a process that never started, saying why. */
      fail: (note: string) => {
        entry.forked.resolve(null);
        entry.exited.resolve({ code: null, signal: null, note });
      },
      send: () => {
        if (!this.alive) {
          entry.forked.resolve(null);
          entry.exited.resolve({ code: null, signal: null, note: 'the warm interpreter had ended' });
          return;
        }
        this.stdin.write(`${JSON.stringify({ id, socket, output, cwd, config })}\n`);
      },
      forked: entry.forked.promise,
      exited: entry.exited.promise,
    };
  }
}

async function tailOf(file: string): Promise<string> {
  const handle = await open(file, 'r').catch(() => null);
  if (handle === null) return '';
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** One harness session in a child of the zygote. */
class ForkedSession implements HarnessSession {
  private socket: net.Socket | null = null;
  private readonly queued: string[] = [];
  private killed = false;
  private timedOut = false;
  private pid: number | null = null;
  private ended: Promise<SessionEnd> | null = null;
  private readonly connected: Promise<net.Socket | null>;
  private readonly exited: Promise<Exit>;
  private readonly output: string;
  private readonly server: net.Server;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.kill();

  constructor(
    zygote: Zygote,
    config: HarnessConfig,
    private readonly opts: SessionOptions,
  ) {
    const req = zygote.fork(config, opts.cwd);
    this.output = req.output;
    this.exited = req.exited;
    this.server = net.createServer();
    const accepted = new Promise<net.Socket>((resolve) => this.server.once('connection', resolve));
    this.connected = new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(req.socket, resolve);
    }).then(
      async () => {
        req.send();
        void req.forked.then((pid) => {
          this.pid = pid;
          if (pid !== null && this.killed) killGroup(pid, 'SIGKILL');
        });
        const first = await Promise.race([accepted, req.exited.then(() => null)]);
        this.server.close();
        if (first === null) return null;
        this.socket = first;
        first.on('error', () => undefined);
        for (const cmd of this.queued.splice(0)) first.write(cmd);
        return first;
      },
      (error: Error) => {
        req.fail(`could not listen on ${req.socket}: ${error.message}`);
        return null;
      },
    );
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.kill();
    }, opts.timeoutMs);
    if (opts.signal.aborted) this.kill();
    opts.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  async *lines(): AsyncIterable<ParsedLine> {
    const socket = await this.connected;
    if (socket === null) return;
    const rl = readline.createInterface({ input: socket, crlfDelay: Infinity });
    for await (const line of rl) {
      if (line.trim() === '') continue;
      yield parseHarnessLine(line);
    }
  }

  send(command: HarnessCommand): void {
    const text = `${command}\n`;
    if (this.socket === null) this.queued.push(text);
    else if (this.socket.writable) this.socket.write(text);
  }

  kill(): void {
    this.killed = true;
    if (this.pid !== null) killGroup(this.pid, 'SIGKILL');
  }

  finish(): Promise<SessionEnd> {
    this.ended ??= (async () => {
      const socket = await this.connected;
      socket?.end();
      const exit = await this.exited;
      clearTimeout(this.timer);
      this.opts.signal.removeEventListener('abort', this.onAbort);
      socket?.destroy();
      this.server.close();
      const tail = [exit.note, await tailOf(this.output)].filter((t) => t !== undefined && t !== '').join('\n');
      await rm(this.output, { force: true });
      return { exitCode: exit.code, signal: exit.signal, timedOut: this.timedOut, stderrTail: tail };
    })();
    return this.ended;
  }
}

/** A session whose real one is chosen later (once the zygote is known to be ready or not). */
class DeferredSession implements HarnessSession {
  private inner: HarnessSession | null = null;
  private readonly queued: HarnessCommand[] = [];
  private killed = false;

  constructor(private readonly chosen: Promise<HarnessSession>) {
    void chosen.then((s) => {
      this.inner = s;
      for (const c of this.queued.splice(0)) s.send(c);
      if (this.killed) s.kill();
    });
  }

  async *lines(): AsyncIterable<ParsedLine> {
    yield* (await this.chosen).lines();
  }

  send(command: HarnessCommand): void {
    if (this.inner === null) this.queued.push(command);
    else this.inner.send(command);
  }

  kill(): void {
    this.killed = true;
    this.inner?.kill();
  }

  async finish(): Promise<SessionEnd> {
    return (await this.chosen).finish();
  }
}

export type StartMethod = 'fork' | 'spawn';

export interface ClosableHarnessPort extends HarnessPort {
  /** End the zygotes (their stdin closes; they kill what they forked) and wait for them. */
  close(): Promise<void>;
}

/**
 * The harness port of one command: `fork` starts one zygote per environment
 * (ended by `close` or the command's cancel signal) and forks every session
 * from it; `spawn` starts a fresh interpreter per session.
 */
export function harnessPort(method: StartMethod, signal: AbortSignal): ClosableHarnessPort {
  if (method === 'spawn') return { start: startHarness, close: () => Promise.resolve() };
  const zygotes = new Map<string, Zygote>();
  const zygoteFor = (env: PythonEnv): Zygote => {
    const key = JSON.stringify([env.python, env.env]);
    let z = zygotes.get(key);
    if (z === undefined || !z.usable) zygotes.set(key, (z = new Zygote(env, signal)));
    return z;
  };
  return {
    start(env, config, opts) {
      const full: HarnessConfig = { protocol: PROTOCOL_VERSION, ...config };
      const zygote = zygoteFor(env);
      return new DeferredSession(
        zygote.ready.then((ok) => (ok && zygote.usable ? new ForkedSession(zygote, full, opts) : startHarness(env, config, opts))),
      );
    },
    prepare(env) {
      zygoteFor(env);
    },
    async close() {
      await Promise.all([...zygotes.values()].map((z) => z.close()));
      zygotes.clear();
    },
  };
}
