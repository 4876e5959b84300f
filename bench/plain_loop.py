"""A plain before/after loop over one exported function: the check of a leak
that shares nothing with the tool's harness (python/harness.py) but the way
the arguments are built (python/leakcheck_args.py, so the call is the same).

    python plain_loop.py CONFIG_JSON OUT_JSON

With "mode": "domain" in CONFIG_JSON (and the repro's .py as modulePath):
one call of the uncompiled function with the same arguments, to tell whether
they are inside the function's domain at all (plain Python raises on an index
out of range, where compiled code reads or writes out of bounds).

CONFIG_JSON: {"modulePath", "moduleName", "function", "call", "warmupCalls",
"minCalls", "seconds", "maxCalls", "maxBytes"}. The figures go to OUT_JSON (the user's
code may print on stdout).

Warm-up, then read sys.getallocatedblocks(), the native heap in use (glibc
mallinfo2: uordblks + hblkhd) and sys.getrefcount of each non-scalar
argument; call N times (N = as many as fit in `seconds`, at least
`minCalls`); gc.collect(); read again. No messages, no sampling, nothing else
in between.
"""

import ctypes
import gc
import importlib.util
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from leakcheck_args import build_args  # noqa: E402

SCALARS = (bool, int, float, complex, str, bytes, type(None))
FIELDS = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()


def native_reader():
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    if hasattr(libc, "mallinfo2"):
        kind = ctypes.c_size_t
        fn = libc.mallinfo2
    elif hasattr(libc, "mallinfo"):  # glibc < 2.33: int fields, wrap at 2 GiB
        kind = ctypes.c_int
        fn = libc.mallinfo
    else:
        return None

    class MallInfo(ctypes.Structure):
        _fields_ = [(n, kind) for n in FIELDS]

    fn.restype = MallInfo

    def read():
        mi = fn()
        return mi.uordblks + mi.hblkhd

    return read


def domain(func, args, out_path):
    """One call (of the uncompiled source): does the function accept these arguments at all?"""
    try:
        func(*args)
        res = dict(raised=None)
    except Exception as exc:
        res = dict(raised=type(exc).__name__, message=str(exc).split("\n")[0][:160])
    with open(out_path, "w") as f:
        json.dump(res, f)
    return 0


def per_arg(tracked, values):
    it = iter(values)
    return [next(it) if t else None for t in tracked]


def main():
    cfg = json.loads(sys.argv[1])
    out_path = sys.argv[2]
    import numpy as np

    spec = importlib.util.spec_from_file_location(cfg["moduleName"], cfg["modulePath"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    func = getattr(module, cfg["function"])
    args = build_args(cfg["call"], np, module)
    if cfg.get("mode") == "domain":
        return domain(func, args, out_path)
    native = native_reader()
    # One refcount per argument, None for scalars (shared small ints, interned strings).
    targets = [a for a in args if not isinstance(a, SCALARS)]
    tracked = [not isinstance(a, SCALARS) for a in args]

    # Warm-up: caches, free lists and allocator pools fill.
    warm = int(cfg["warmupCalls"])
    for _ in range(warm):
        func(*args)
    # Calibration (more warm-up): time per call, and the native growth per call, so
    # that a fast leak does not take the machine's memory (at most maxBytes in all).
    m0 = native() if native else 0
    k = 0
    t0 = time.perf_counter()
    while k < 10 or time.perf_counter() - t0 < 0.2:
        func(*args)
        k += 1
    per_call = max((time.perf_counter() - t0) / k, 1e-9)
    grow = max(((native() if native else 0) - m0) / float(k), 1.0)
    n = int(max(cfg["minCalls"], min(cfg["maxCalls"], cfg["seconds"] / per_call, cfg["maxBytes"] / grow)))

    # The readings' own objects (ints, the list) stay alive across the loop: a few
    # blocks in all, divided by at least 1,000 calls.
    refs0 = [0] * len(targets)
    gc.collect()
    for i, t in enumerate(targets):
        refs0[i] = sys.getrefcount(t)
    native0 = native() if native else None
    blocks0 = sys.getallocatedblocks()

    t0 = time.perf_counter()
    for _ in range(n):
        func(*args)
    seconds = time.perf_counter() - t0

    gc.collect()
    blocks1 = sys.getallocatedblocks()
    native1 = native() if native else None
    refs1 = [sys.getrefcount(t) for t in targets]

    res = dict(
        calls=n,
        seconds=seconds,
        warmupCalls=warm,
        calibrationCalls=k,
        blocks=[blocks0, blocks1],
        native=[native0, native1],
        refs=[refs0, refs1],
        blocksPerCall=(blocks1 - blocks0) / float(n),
        nativePerCall=None if native is None else (native1 - native0) / float(n),
        refsPerCall=per_arg(tracked, [(b - a) / float(n) for a, b in zip(refs0, refs1)]),
    )
    with open(out_path, "w") as f:
        json.dump(res, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
