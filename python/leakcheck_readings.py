"""What the harness reads: RSS, the native heap, object types and tracemalloc sites.

Keep this file importable on Python 3.8+.
"""

import ctypes
import gc
import os
import random


def rss_reader():
    try:
        import psutil

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


def native_reader():
    """Bytes the C allocator has handed out and not taken back (glibc only)."""
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None, None
    names = ["arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"]
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


def refcount_targets(args):
    """Argument objects whose refcount is worth watching (not shared singletons/scalars)."""
    return [None if isinstance(a, UNTRACKED_TYPES) else a for a in args]


_census_rng = random.Random(0)


def type_census(limit=8, inspect=2000):
    """Object types among the collector's young objects: after gc.freeze(), exactly the survivors of one batch.

    At most `inspect` objects are looked at (a random sample, counts scaled back up; a
    stride would alias with the period of what each call leaves behind), so a leak of
    many objects per call does not make sampling expensive.
    """
    objs = gc.get_objects()
    weight = 1.0
    if len(objs) > inspect:
        weight = len(objs) / float(inspect)
        objs = _census_rng.sample(objs, inspect)
    counts = {}
    for obj in objs:
        name = type(obj).__name__
        counts[name] = counts.get(name, 0) + weight
    del objs
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:limit]
    return dict((k, round(v)) for k, v in top)


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
    sites = dict((f"{os.path.basename(f[0])}:{f[1]}", (round(b * weight), round(n * weight)))
                 for f, (b, n) in sites.items())
    sizes = dict((k, round(v * weight)) for k, v in sizes.items())
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
