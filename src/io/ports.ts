/**
 * The real ports of the pipeline: the harness in Python processes (forked from
 * a warm zygote per environment, or fresh interpreters), Pythran builds through
 * the cache, managed or user environments, the monotonic clock.
 */
import { performance } from 'node:perf_hooks';
import type { Ports } from '../pipeline/ports.js';
import { buildModule } from './build.js';
import { resolveEnvironment } from './python-env.js';
import { harnessPort, type StartMethod } from './zygote.js';

export type { StartMethod } from './zygote.js';

/** Real ports that may hold processes (the zygotes) until closed. */
export interface RealPorts extends Ports {
  close(): Promise<void>;
}

/** The real ports for one command: `signal` is the command's cancel signal, which ends its zygotes too. */
export function realPorts(startMethod: StartMethod, signal: AbortSignal): RealPorts {
  const harness = harnessPort(startMethod, signal);
  return {
    harness,
    builder: { build: buildModule },
    environment: { resolve: resolveEnvironment },
    clock: () => performance.now(),
    close: () => harness.close(),
  };
}

/** Run `fn` with the real ports, and end the processes they started whatever happens. */
export async function withRealPorts<T>(startMethod: StartMethod, signal: AbortSignal, fn: (ports: Ports) => Promise<T>): Promise<T> {
  const ports = realPorts(startMethod, signal);
  try {
    return await fn(ports);
  } finally {
    await ports.close();
  }
}
