/**
 * The real ports of the pipeline: the harness in a Python subprocess, Pythran
 * builds through the cache, managed or user environments, the monotonic clock.
 */
import { performance } from 'node:perf_hooks';
import type { Ports } from '../pipeline/ports.js';
import { buildModule } from './build.js';
import { startHarness } from './harness.js';
import { resolveEnvironment } from './python-env.js';

export const realPorts: Ports = {
  harness: { start: startHarness },
  builder: { build: buildModule },
  environment: { resolve: resolveEnvironment },
  clock: () => performance.now(),
};
