/**
 * Progress lines for long steps (environment set-up, builds, measuring).
 * They go to stderr, and only when stderr is a terminal and no machine
 * output was asked for, so `--json` and CI logs stay clean.
 */
export interface Progress {
  /** Announce a step; replaces the previous line on a terminal. */
  step(message: string): void;
  /** A line that stays (for example, a finished environment set-up). */
  note(message: string): void;
  done(): void;
}

export const silentProgress: Progress = {
  step() {},
  note() {},
  done() {},
};

export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  let active = false;
  const clear = () => {
    if (active) stream.write('\r\x1b[2K');
    active = false;
  };
  return {
    step(message) {
      clear();
      const width = stream.columns ?? 100;
      stream.write(message.length >= width ? message.slice(0, width - 1) : message);
      active = true;
    },
    note(message) {
      clear();
      stream.write(`${message}\n`);
    },
    done: clear,
  };
}

/** Plain lines, for a non-terminal stderr when the user still wants to follow along. */
export function lineProgress(stream: NodeJS.WritableStream = process.stderr): Progress {
  return {
    step(message) {
      stream.write(`${message}\n`);
    },
    note(message) {
      stream.write(`${message}\n`);
    },
    done() {},
  };
}
