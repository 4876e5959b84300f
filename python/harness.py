"""pythran-leakcheck measuring harness.

Runs ONE exported function of a built Pythran module in a loop and streams
memory readings to the TypeScript side. It decides nothing: the TypeScript core
tells it when a phase has seen enough.

Channels (the user's code cannot corrupt them by printing):
  * fd 3 (write): one JSON message per line, harness -> tool.
  * the original stdin (read): one command per line, tool -> harness:
    "next" ends the current phase, "stop" ends the run, "batch N" sets the
    smallest batch. Anything else is a protocol error. Before any user code
    runs, fd 0 is pointed at /dev/null so user code never reads commands.
  * stdout/stderr stay with the user's code; the tool keeps them for messages.
When forked by python/zygote.py instead, both directions share one Unix
socket, and stdout/stderr go to a file the tool reads at the end.

Phases, in the order the configuration lists them:
  * plain:  batches of calls (collector paused), then a reading: RSS, native
            heap in use (glibc mallinfo2), sys.getallocatedblocks() and the
            refcount of each argument object.
  * traced: the same loop under tracemalloc, reading only the traced size
            (tracemalloc's own bookkeeping would inflate every other signal).
  * bulk:   one reading, one long run of calls with no message and no reading,
            a second reading: the confirmation, which no per-batch artefact
            of this harness can reach.

A reading must not see the harness itself. Nothing the harness allocates
between two readings survives to the next one: loop state lives in a
preallocated array (an int crossing 256 would otherwise become one more
block), every reading starts with a full collection (which also empties
CPython's free lists, where the previous message's dicts and floats would sit),
and the reading path runs three times before the first reading so that whatever it
creates lazily exists already.

Keep this file importable on Python 3.8+ (managed and user environments vary).
"""

import array
import contextlib
import gc
import importlib.util
import json
import os
import select
import sys
import time
import traceback

from leakcheck_args import build_args, describe, nbytes, scale_value
from leakcheck_readings import allocation_summary, native_reader, refcount_targets, rss_reader, type_census

PROTOCOL = 2

# What the configuration message must hold, and of which type.
CONFIG_KEYS = {
    "protocol": int,
    "modulePath": str,
    "moduleName": str,
    "function": str,
    "call": dict,
    "warmupSeconds": (int, float),
    "warmupMinCalls": int,
    "batchSeconds": (int, float),
    "maxBatchCalls": int,
    "phases": list,
    "scale": int,
    "census": bool,
    "bulkCalls": int,
    "bulkTraced": bool,
}
PHASES = ("plain", "traced", "bulk")


class StageFailed(Exception):
    """An exception in one stage of the run, reported once by main()."""

    def __init__(self, stage, exc):
        Exception.__init__(self, stage)
        self.stage, self.exc = stage, exc


@contextlib.contextmanager
def stage(name):
    try:
        yield
    except StageFailed:
        raise
    except Exception as exc:
        raise StageFailed(name, exc) from exc


class Channel:
    def __init__(self, out_fd, in_fd):
        self.out = os.fdopen(out_fd, "w", buffering=1)
        self.in_fd = in_fd
        self.buf = b""

    def send(self, **msg):
        self.out.write(json.dumps(msg, separators=(",", ":")) + "\n")
        self.out.flush()

    def poll(self):
        """Return the next pending command, or None. Never blocks."""
        while b"\n" not in self.buf:
            ready, _, _ = select.select([self.in_fd], [], [], 0)
            if not ready:
                return None
            chunk = os.read(self.in_fd, 4096)
            if not chunk:  # the tool went away: stop at once
                return "stop"
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace").strip()


def validate_config(cfg):
    """Raise ValueError naming the first key that is missing, mistyped or unknown."""
    if not isinstance(cfg, dict):
        raise ValueError("configuration is not an object")
    if cfg.get("protocol") != PROTOCOL:
        raise ValueError(f"harness speaks protocol {PROTOCOL}, tool sent {cfg.get('protocol')!r}")
    for key, kind in CONFIG_KEYS.items():
        if key not in cfg:
            raise ValueError(f"configuration lacks {key!r}")
        value = cfg[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ValueError(f"configuration key {key!r} has the wrong type ({type(value).__name__})")
    unknown = sorted(set(cfg) - set(CONFIG_KEYS))
    if unknown:
        raise ValueError("unknown configuration keys: {}".format(", ".join(unknown)))
    if not cfg["phases"] or any(p not in PHASES for p in cfg["phases"]):
        raise ValueError("phases must be a non-empty list of {}".format(", ".join(PHASES)))
    if cfg["maxBatchCalls"] < 1 or cfg["bulkCalls"] < 0 or cfg["scale"] < 1:
        raise ValueError("maxBatchCalls and scale must be >= 1, bulkCalls >= 0")


# ---------------------------------------------------------------- main loop

def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exc_info_message(stage_name, exc):
    return dict(
        type="error",
        stage=stage_name,
        exception=type(exc).__name__,
        message=str(exc)[:2000],
        traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:],
    )


# Slots of the loop state: plain numbers in a preallocated array, so that no Python
# object the loop keeps between two readings changes (see the module's docstring).
CALLS, SPENT, BATCH, MIN_BATCH, TOOK, READ_AT = range(6)


class Meter:
    """Calls the function and takes readings; owns everything that lives between two readings."""

    def __init__(self, cfg, chan, func, args):
        self.cfg, self.chan, self.func, self.args = cfg, chan, func, args
        self.rss, self.rss_source = rss_reader()
        self.native, self.native_source = native_reader()
        self.targets = refcount_targets(args)
        self.state = array.array("d", [0.0] * 6)
        self.state[MIN_BATCH] = 1

    def calls(self, n):
        func, args = self.func, self.args
        for _ in range(n):
            func(*args)

    def warm_up(self, seconds, min_calls):
        """Call for `seconds` (at least `min_calls` times); return (calls, seconds per call, batch size)."""
        n = 0
        t0 = time.perf_counter()
        deadline = t0 + seconds
        while time.perf_counter() < deadline or n < min_calls:
            self.func(*self.args)
            n += 1
        per_call = max((time.perf_counter() - t0) / n, 1e-9)
        return n, per_call, int(max(1, min(self.cfg["maxBatchCalls"], round(self.cfg["batchSeconds"] / per_call))))

    def settle(self):
        """A full collection: frees the batch's cycles and empties the free lists. Cheap: older objects are frozen."""
        gc.collect()

    def read(self, phase, census):
        """One reading: what is alive now, nothing of the harness's own."""
        self.settle()
        if phase == "traced":
            import tracemalloc

            traced = tracemalloc.get_traced_memory()[0]
            gc.freeze()
            return dict(traced=traced)
        # Allocator blocks first, right after the collection: the other readings make objects of their own.
        blocks = sys.getallocatedblocks()
        native = self.native() if self.native else None
        rss = self.rss() if self.rss else None
        # The census before anything of this reading that the collector tracks (the list below) exists.
        types = type_census() if census else None
        # minus 1: getrefcount's own reference to its argument
        refcounts = [None if t is None else sys.getrefcount(t) - 1 for t in self.targets]
        # Survivors of a full collection are alive (or leaked): freezing them keeps the
        # next collection's cost proportional to one batch, not to everything leaked so far.
        gc.freeze()
        return dict(types=types, rss=rss, native=native, blocks=blocks, refcounts=refcounts)

    def prime(self, phase, census):
        """Run the reading path (reading and message text, not sent) so that nothing it makes lazily appears later."""
        for _ in range(3):  # two were seen to leave one block for the first reading to free
            self.dry_reading(phase, census)

    def dry_reading(self, phase, census):
        """A reading and its message text, not sent."""
        reading = self.read(phase, census)
        json.dumps(dict(type="sample", phase=phase, calls=0, seconds=0.0, sampleSeconds=0.0, **reading))

    def run_batch(self):
        """One batch of calls; its figures go to the state array, so no local outlives it."""
        st, cfg = self.state, self.cfg
        n = int(st[BATCH])
        # The collector runs once per batch, at the reading, and not during it: after
        # gc.freeze() its own heuristics would otherwise run a full collection every few
        # hundred allocations (nothing counts as long-lived any more).
        gc.disable()
        t0 = time.perf_counter()
        try:
            self.calls(n)
        finally:
            gc.enable()
        st[TOOK] = time.perf_counter() - t0
        st[SPENT] += st[TOOK]
        st[CALLS] += n
        # Keep batches near their target duration as calls speed up or slow down
        # (tracemalloc, for one, slows as the traces of a leak pile up), never below
        # the smallest batch the tool asked for.
        target = round(n * cfg["batchSeconds"] / max(st[TOOK], 1e-9))
        st[BATCH] = max(st[MIN_BATCH], 1, min(cfg["maxBatchCalls"], n * 2, max(n // 2, target)))

    def command(self):
        """Apply a pending command; return "next" or "stop" when the phase ends, else None."""
        cmd = self.chan.poll()
        if cmd is None or cmd in ("next", "stop"):
            return cmd
        if not cmd.startswith("batch "):
            raise StageFailed("protocol", ValueError(f"unknown command {cmd!r}"))
        try:
            self.state[MIN_BATCH] = max(1, min(int(cmd[6:]), self.cfg["maxBatchCalls"]))
        except ValueError as exc:
            raise StageFailed("protocol", ValueError(f"malformed command {cmd!r}")) from exc
        self.state[BATCH] = max(self.state[BATCH], self.state[MIN_BATCH])
        return None

    def batch_loop(self, phase):
        """Batches and readings until the tool says "next" or "stop"; returns that command."""
        st = self.state
        census = phase == "plain" and self.cfg["census"]
        self.prime(phase, census)
        # One whole round (batch, reading, message text, command poll), not reported: the
        # first reading was seen to hold one block that the second did not.
        self.run_batch()
        self.dry_reading(phase, census)
        end = self.command()
        if end is not None:
            return end
        st[CALLS] = st[SPENT] = 0
        while True:
            self.run_batch()
            st[READ_AT] = time.perf_counter()
            sample = self.read(phase, census)
            self.chan.send(type="sample", phase=phase, calls=int(st[CALLS]), seconds=st[SPENT],
                           sampleSeconds=time.perf_counter() - st[READ_AT], **sample)
            del sample
            end = self.command()
            if end is not None:
                return end

    def bulk(self, traced):
        """Reading, `bulkCalls` calls with no message and no reading, reading."""
        phase = "traced" if traced else "plain"
        # The first reading waits in a preallocated array: a dict of numbers kept alive until
        # the second reading would be counted in it.
        keys = ("traced",) if traced else ("blocks", "native", "rss")
        kept = array.array("d", [-1.0] * (len(keys) + len(self.targets)))
        self.prime(phase, False)
        self.keep(kept, keys, self.read(phase, False))
        t0 = time.perf_counter()
        self.calls(self.cfg["bulkCalls"])
        self.state[TOOK] = time.perf_counter() - t0
        after = self.read(phase, False)
        before = dict((k, None if kept[i] < 0 else int(kept[i])) for i, k in enumerate(keys))
        if not traced:
            before["refcounts"] = [None if v < 0 else int(v) for v in kept[len(keys):]]
        self.chan.send(type="bulk", calls=self.cfg["bulkCalls"], seconds=self.state[TOOK], traced=traced,
                       before=before, after=after)

    @staticmethod
    def keep(kept, keys, reading):
        for i, k in enumerate(keys):
            kept[i] = -1 if reading[k] is None else reading[k]
        for j, v in enumerate(reading.get("refcounts", ())):
            kept[len(keys) + j] = -1 if v is None else v


def run(cfg, chan):
    import faulthandler

    faulthandler.enable()  # a segfault prints the Python stack on stderr
    with stage("import"):
        import numpy as np
    rss_source, native_source = rss_reader()[1], native_reader()[1]
    chan.send(type="hello", protocol=PROTOCOL, pid=os.getpid(), python=sys.version.split()[0],
              numpy=np.__version__, rssSource=rss_source, nativeSource=native_source)
    with stage("import"):
        module = load_module(cfg["modulePath"], cfg["moduleName"])
        func = getattr(module, cfg["function"])
    with stage("arguments"):
        args = build_args(cfg["call"], np, module)
        if cfg["scale"] != 1:
            args = [scale_value(a, cfg["scale"], np) for a in args]
    meter = Meter(cfg, chan, func, args)
    with stage("call"):
        # The first call tells whether the function can run at all.
        result = func(*args)
        result_text, result_bytes = describe(result), nbytes(result)
        del result
        # Warm-up: let caches, free lists and allocator pools fill.
        warm_calls, per_call, batch = meter.warm_up(cfg["warmupSeconds"], cfg["warmupMinCalls"])
    meter.state[BATCH] = batch
    chan.send(type="ready", args=[describe(a) for a in args], argBytes=[nbytes(a) for a in args],
              result=result_text, resultBytes=result_bytes,
              refcountTracked=[t is not None for t in meter.targets],
              warmupCalls=warm_calls + 1, callSeconds=per_call, batchCalls=batch)

    # Everything alive now (modules, arguments, warm caches) leaves the
    # collector's view: each collection below then costs microseconds.
    gc.collect()
    gc.freeze()

    cmd = None
    for phase in cfg["phases"]:
        traced = phase == "traced" or (phase == "bulk" and cfg["bulkTraced"])
        if traced:
            import tracemalloc

            tracemalloc.start(1)
            # tracemalloc slows every allocation: warm its tables up and size batches anew.
            with stage("call"):
                batch = meter.warm_up(cfg["warmupSeconds"], cfg["warmupMinCalls"])[2]
                meter.state[BATCH] = max(meter.state[MIN_BATCH], batch)
            # Forget what the warm-up allocated: the snapshots then hold only this phase's
            # allocations, which keeps them cheap when a leak piles up traces.
            tracemalloc.clear_traces()
        if phase == "bulk":
            with stage("call"):
                meter.bulk(traced)
            continue
        start_snapshot = tracemalloc.take_snapshot() if traced else None
        chan.send(type="phase", phase=phase, batchCalls=int(meter.state[BATCH]))
        meter.state[CALLS] = meter.state[SPENT] = 0
        with stage("call"):
            cmd = meter.batch_loop(phase)
        if traced:
            meter.settle()  # the last message's dicts would otherwise sit in free lists, charged to json
            chan.send(**allocation_summary(start_snapshot, tracemalloc.take_snapshot(), int(meter.state[CALLS])))
            tracemalloc.stop()
        if cmd == "stop":
            break
    chan.send(type="done")


def serve(config_text, chan):
    """Validate the configuration and run; any failure is one error message on the channel."""
    try:
        with stage("config"):
            cfg = json.loads(config_text)
            validate_config(cfg)
        run(cfg, chan)
    except StageFailed as failed:
        chan.send(**exc_info_message(failed.stage, failed.exc))
    return 0


def stdin_to_devnull():
    """Take the command pipe away from fd 0 before any user code can read it; return its new fd."""
    in_fd = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return in_fd


def main():
    in_fd = stdin_to_devnull()
    return serve(sys.argv[1], Channel(3, in_fd))


if __name__ == "__main__":
    sys.exit(main())
