/**
 * What the pipeline needs from the outside world, as interfaces: the commands
 * pass the real ports (src/io/ports.ts), the tests pass fakes. The pipeline
 * itself starts no process, touches no file and reads no clock but through these.
 */
import type { HarnessSession } from '../core/measure.js';
import type { HarnessConfig } from '../core/protocol.js';
import type { BuildContext, BuiltModule } from '../io/build.js';
import type { CacheLayout } from '../io/cache.js';
import type { EnvContext, EnvRequest, PythonEnv } from '../io/python-env.js';
import type { Progress } from '../progress.js';

export interface SessionOptions {
  timeoutMs: number;
  signal: AbortSignal;
  cwd: string;
}

/** Starts one measuring process (python/harness.py) for one function. */
export interface HarnessPort {
  start(env: PythonEnv, config: Omit<HarnessConfig, 'protocol'>, opts: SessionOptions): HarnessSession;
  /** Get ready to start sessions in `env` (a warm process), while the builds run; optional. */
  prepare?(env: PythonEnv): void;
}

/** Builds a repro with the environment's Pythran, through the build cache. */
export interface BuilderPort {
  build(file: string, env: PythonEnv, ctx: BuildContext): Promise<BuiltModule>;
}

/** Finds or makes the Python environment a run asks for. */
export interface EnvironmentPort {
  resolve(req: EnvRequest, ctx: EnvContext): Promise<PythonEnv>;
}

export interface Ports {
  harness: HarnessPort;
  builder: BuilderPort;
  environment: EnvironmentPort;
  /** Milliseconds from an arbitrary origin, for timings. */
  clock(): number;
}

/** What every pipeline call gets from the command that runs it. */
export interface PipelineContext {
  signal: AbortSignal;
  progress: Progress;
  cwd: string;
  ports: Ports;
}

/** What a command gets from the command line's wiring: the pipeline context less the ports it chooses. */
export type CommandContext = Omit<PipelineContext, 'ports'>;

export type { BuiltModule, CacheLayout, PythonEnv };
