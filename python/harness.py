"""pythran-leakcheck measuring harness.

Runs ONE exported function of a built Pythran module in a loop and streams
memory samples to the TypeScript side. It decides nothing: the TypeScript core
tells it when a phase has seen enough.

Channels (the user's code cannot corrupt them by printing):
  * fd 3 (write): one JSON message per line, harness -> tool.
  * the original stdin (read): one command per line, tool -> harness
    ("next" ends the current phase, "stop" ends the run). Before any user
    code runs, fd 0 is pointed at /dev/null so user code never reads commands.
  * stdout/stderr stay with the user's code; the tool keeps them for messages.

Phases, in order:
  * plain:  batches of calls (collector paused); after each batch a collection and a sample of
            RSS, native heap in use (glibc mallinfo2), sys.getallocatedblocks()
            and the refcount of each argument object.
  * traced: the same loop under tracemalloc, sampling only the traced size
            (tracemalloc's own bookkeeping would inflate every other signal).

Keep this file importable on Python 3.8+ (managed and user environments vary).
"""

import ctypes
import gc
import importlib.util
import json
import os
import random
import select
import sys
import time
import traceback

PROTOCOL = 1


class Channel(object):
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


# ---------------------------------------------------------------- signals

def _rss_reader():
    try:
        import psutil  # noqa: F401

        proc = psutil.Process()
        return (lambda: proc.memory_info().rss), "psutil"
    except Exception:
        pass
    if os.path.exists("/proc/self/statm"):
        page = os.sysconf("SC_PAGE_SIZE")

        def statm():
            with open("/proc/self/statm", "rb") as f:
                return int(f.read().split()[1]) * page

        return statm, "statm"
    return None, None


def _native_reader():
    """Bytes the C allocator has handed out and not taken back (glibc only)."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None, None
    names = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
    if hasattr(libc, "mallinfo2"):
        class MallInfo2(ctypes.Structure):
            _fields_ = [(n, ctypes.c_size_t) for n in names]

        libc.mallinfo2.restype = MallInfo2
        fn = libc.mallinfo2

        def read():
            mi = fn()
            return mi.uordblks + mi.hblkhd

        return read, "mallinfo2"
    return None, None


UNTRACKED_TYPES = (bool, int, float, complex, str, bytes, type(None))


def _refcount_targets(args):
    """Argument objects whose refcount is worth watching (not shared singletons/scalars)."""
    return [None if isinstance(a, UNTRACKED_TYPES) else a for a in args]


# ---------------------------------------------------------------- arguments

def build_value(plan, np):
    t = plan["t"]
    if t == "int":
        return int(plan["v"])
    if t == "float":
        return float(plan["v"])
    if t == "complex":
        return complex(plan["re"], plan["im"])
    if t == "bool":
        return bool(plan["v"])
    if t == "str":
        return str(plan["v"])
    if t == "none":
        return None
    if t == "slice":
        return slice(plan["start"], plan["stop"], plan["step"])
    if t == "npscalar":
        return np.dtype(plan["dtype"]).type(plan["v"])
    if t == "array":
        dtype = np.dtype(plan["dtype"])
        shape = tuple(plan["shape"])
        steps = [2 if s else 1 for s in plan["strided"]]
        base_shape = tuple(n * k for n, k in zip(shape, steps))
        rng = np.random.default_rng(plan.get("seed", 0))
        count = int(np.prod(base_shape)) if base_shape else 1
        if dtype.kind == "b":
            data = (np.arange(count) % 2 == 0)
        elif dtype.kind in "iu":
            data = rng.integers(1, 10, size=count)
        elif dtype.kind == "c":
            data = rng.random(count) + 0.5 + 1j * (rng.random(count) + 0.5)
        else:
            data = rng.random(count) + 0.5
        arr = np.asarray(data).astype(dtype).reshape(base_shape)
        if plan.get("order") == "F":
            arr = np.asfortranarray(arr)
        if any(k > 1 for k in steps):
            arr = arr[tuple(slice(None, None, k) for k in steps)]
        return arr
    if t == "list":
        return [build_value(p, np) for p in plan["items"]]
    if t == "set":
        return set(build_value(p, np) for p in plan["items"])
    if t == "tuple":
        return tuple(build_value(p, np) for p in plan["items"])
    if t == "dict":
        return dict((build_value(k, np), build_value(v, np)) for k, v in plan["entries"])
    raise ValueError("unknown argument plan %r" % (t,))


def build_args(call, np):
    if "expr" in call:
        if not call["expr"].strip():
            return []
        namespace = {"np": np, "numpy": np}
        value = eval(compile("(" + call["expr"] + ",)", "<leakcheck call>", "eval"), namespace)
        return list(value)
    return [build_value(p, np) for p in call["args"]]


def describe(value):
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return "ndarray %s%s" % (value.dtype, list(value.shape))
    except Exception:
        pass
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def nbytes(value):
    """Bytes of an array's data (what a leaked buffer would weigh); None for other values."""
    size = getattr(value, "nbytes", None)
    return int(size) if isinstance(size, int) else None


def scale_value(value, factor, np):
    """The same argument, `factor` times as large: arrays along their first axis, positive ints."""
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        out = np.concatenate([value] * factor, axis=0)
        return np.asfortranarray(out) if value.flags.f_contiguous and not value.flags.c_contiguous else out
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value * factor
    if isinstance(value, list):
        return [scale_value(v, factor, np) for v in value]
    if isinstance(value, tuple):
        return tuple(scale_value(v, factor, np) for v in value)
    return value


_census_rng = random.Random(0)


def type_census(limit=8, inspect=2000):
    """Object types among the collector's young objects: after gc.freeze(), exactly the survivors of one batch.

    At most `inspect` objects are looked at (a random sample, counts scaled back up; a
    stride would alias with the period of what each call leaves behind), so a leak of
    many objects per call does not make sampling expensive.
    """
    objs = gc.get_objects()
    if len(objs) > inspect:
        weight = len(objs) / float(inspect)
        objs = _census_rng.sample(objs, inspect)
    else:
        weight = 1.0
    counts = {}
    for obj in objs:
        name = type(obj).__name__
        counts[name] = counts.get(name, 0) + weight
    del objs
    counts = dict((k, int(round(v))) for k, v in counts.items())
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:limit]
    return dict(top)


def _trace_counts(snapshot, inspect):
    """Per site and per size: bytes and blocks among a snapshot's traces, from a random sample of at most `inspect`."""
    import tracemalloc

    try:
        raw = snapshot.traces._traces  # (domain, size, frames, ...) tuples: far cheaper than Trace objects
    except AttributeError:
        raw = [(t.domain, t.size, tuple((f.filename, f.lineno) for f in t.traceback)) for t in snapshot.traces]
    weight = 1.0
    if len(raw) > inspect:
        weight = len(raw) / float(inspect)
        raw = _census_rng.sample(list(raw), inspect)
    own = tracemalloc.__file__
    sites, sizes = {}, {}
    for trace in raw:
        size, frames = trace[1], trace[2]
        frame = frames[0] if frames else ("?", 0)
        if frame[0] == own:
            continue  # the snapshots' own bookkeeping
        b, n = sites.get(frame, (0, 0))
        sites[frame] = (b + size, n + 1)
        sizes[size] = sizes.get(size, 0) + 1
    sites = dict(("%s:%d" % (os.path.basename(f[0]), f[1]), (int(round(b * weight)), int(round(n * weight))))
                 for f, (b, n) in sites.items())
    sizes = dict((k, int(round(v * weight))) for k, v in sizes.items())
    return sites, sizes


def allocation_summary(before, after, calls, limit=5, inspect=5000):
    """Where traced memory grew between two tracemalloc snapshots, and in blocks of which sizes."""
    sites0, sizes0 = _trace_counts(before, inspect)
    sites1, sizes1 = _trace_counts(after, inspect)
    grown = []
    for key, (b, n) in sites1.items():
        b0, n0 = sites0.get(key, (0, 0))
        if b - b0 > 0:
            grown.append(dict(where=key, bytes=b - b0, blocks=n - n0))
    grown.sort(key=lambda d: -d["bytes"])
    sizes = sorted(((k, v - sizes0.get(k, 0)) for k, v in sizes1.items()), key=lambda kv: -kv[1])
    return dict(type="sites", calls=calls, sites=grown[:limit],
                sizes=[dict(size=k, blocks=v) for k, v in sizes[:limit] if v > 0])


# ---------------------------------------------------------------- main loop

def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot load %s" % path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exc_info_message(stage, exc):
    return dict(
        type="error",
        stage=stage,
        exception=type(exc).__name__,
        message=str(exc)[:2000],
        traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-4000:],
    )


def run(cfg, chan):
    import faulthandler

    faulthandler.enable()  # a segfault prints the Python stack on stderr

    rss, rss_source = _rss_reader()
    native, native_source = _native_reader()
    try:
        import numpy as np
    except Exception as exc:
        chan.send(**exc_info_message("import", exc))
        return
    chan.send(
        type="hello",
        protocol=PROTOCOL,
        pid=os.getpid(),
        python=sys.version.split()[0],
        numpy=np.__version__,
        rssSource=rss_source,
        nativeSource=native_source,
    )

    try:
        module = load_module(cfg["modulePath"], cfg["moduleName"])
        func = getattr(module, cfg["function"])
    except Exception as exc:
        chan.send(**exc_info_message("import", exc))
        return
    try:
        args = build_args(cfg["call"], np)
        factor = int(cfg.get("scale", 1))
        if factor != 1:
            args = [scale_value(a, factor, np) for a in args]
    except Exception as exc:
        chan.send(**exc_info_message("arguments", exc))
        return

    # The first call tells whether the function can run at all.
    try:
        result = func(*args)
        result_text, result_bytes = describe(result), nbytes(result)
        del result
    except Exception as exc:
        chan.send(**exc_info_message("call", exc))
        return

    def warm_up(seconds, min_calls):
        """Call for `seconds` (at least `min_calls` times); return the batch size for this mode."""
        n = 0
        t0 = time.perf_counter()
        deadline = t0 + seconds
        while time.perf_counter() < deadline or n < min_calls:
            func(*args)
            n += 1
        per_call = max((time.perf_counter() - t0) / n, 1e-9)
        return n, per_call, int(max(1, min(cfg["maxBatchCalls"], round(cfg["batchSeconds"] / per_call))))

    # Warm-up: let caches, free lists and allocator pools fill.
    try:
        warm_calls, per_call, batch = warm_up(cfg["warmupSeconds"], cfg["warmupMinCalls"])
    except Exception as exc:
        chan.send(**exc_info_message("call", exc))
        return
    warm_calls += 1  # the first call

    targets = _refcount_targets(args)
    chan.send(
        type="ready",
        args=[describe(a) for a in args],
        argBytes=[nbytes(a) for a in args],
        result=result_text,
        resultBytes=result_bytes,
        refcountTracked=[t is not None for t in targets],
        warmupCalls=warm_calls,
        callSeconds=per_call,
        batchCalls=batch,
    )

    # Everything alive now (modules, arguments, warm caches) leaves the
    # collector's view: each gc.collect() below then costs microseconds.
    gc.collect()
    gc.freeze()

    for phase in cfg["phases"]:
        if phase == "traced":
            import tracemalloc

            tracemalloc.start(cfg.get("tracebackDepth", 1))
            # tracemalloc slows every allocation: warm its tables up and size batches anew.
            try:
                _, _, batch = warm_up(cfg["warmupSeconds"], cfg["warmupMinCalls"])
            except Exception as exc:
                chan.send(**exc_info_message("call", exc))
                return
            gc.collect()
            gc.freeze()
            # Forget what the warm-up allocated: the snapshots then hold only this phase's
            # allocations, which keeps them cheap when a leak piles up traces.
            tracemalloc.clear_traces()
            start_snapshot = tracemalloc.take_snapshot()
        chan.send(type="phase", phase=phase, batchCalls=batch)
        calls = 0
        spent = 0.0
        while True:
            # The collector runs once per batch, below, and not during it: after gc.freeze() its
            # own heuristics would otherwise run a full collection every few hundred allocations
            # (nothing counts as long-lived any more), making calls that keep objects slower.
            gc.disable()
            t0 = time.perf_counter()
            try:
                for _ in range(batch):
                    func(*args)
            except Exception as exc:
                gc.enable()
                chan.send(**exc_info_message("call", exc))
                return
            finally:
                gc.enable()
            took = time.perf_counter() - t0
            spent += took
            calls += batch
            # Keep batches near their target duration as calls speed up or slow down
            # (tracemalloc, for one, slows as the traces of a leak pile up).
            batch = int(max(1, min(cfg["maxBatchCalls"], batch * 2, max(batch // 2, round(batch * cfg["batchSeconds"] / max(took, 1e-9))))))
            s0 = time.perf_counter()
            # Everything older is frozen and the collector was off during the batch, so every
            # object the batch left is in the youngest generation: collecting it is a full
            # collection of what matters, without the cost (and free-list clearing) of gc.collect().
            gc.collect(0)
            census = type_census() if phase == "plain" and cfg.get("census", True) else None
            # Survivors of a full collection are alive (or leaked): freezing them keeps the
            # next collection's cost proportional to one batch, not to everything leaked so far.
            gc.freeze()
            if phase == "plain":
                sample = dict(
                    types=census,
                    rss=rss() if rss else None,
                    native=native() if native else None,
                    blocks=sys.getallocatedblocks(),
                    # minus 1: getrefcount's own reference to its argument
                    refcounts=[None if t is None else sys.getrefcount(t) - 1 for t in targets],
                )
            else:
                sample = dict(traced=tracemalloc.get_traced_memory()[0])
            sample_seconds = time.perf_counter() - s0
            chan.send(type="sample", phase=phase, calls=calls, seconds=spent, sampleSeconds=sample_seconds, **sample)
            cmd = chan.poll()
            if cmd in ("next", "stop"):
                break
        if phase == "traced":
            chan.send(**allocation_summary(start_snapshot, tracemalloc.take_snapshot(), calls))
            tracemalloc.stop()
        if cmd == "stop":
            break
    chan.send(type="done")


def main():
    # Take the command pipe away from fd 0 before any user code can read it.
    in_fd = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    chan = Channel(3, in_fd)
    try:
        cfg = json.loads(sys.argv[1])
    except Exception as exc:
        chan.send(**exc_info_message("config", exc))
        return 0
    if cfg.get("protocol") != PROTOCOL:
        chan.send(type="error", stage="config", exception="ProtocolError",
                  message="harness speaks protocol %d, tool sent %r" % (PROTOCOL, cfg.get("protocol")), traceback="")
        return 0
    run(cfg, chan)
    return 0


if __name__ == "__main__":
    sys.exit(main())
