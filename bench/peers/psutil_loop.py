"""A hand-written psutil RSS loop: 100,000 calls per function, RSS growth per call
above 16 B is a leak. Prints one line per function: VERDICT <function> leak|ok <B/call>."""

import gc

import psutil
from seedmod import FUNCTIONS, args, view_leak

CALLS = 100_000
WARMUP = 1_000
THRESHOLD = 16.0

proc = psutil.Process()
a = args()
leaked = False
for name in FUNCTIONS:
    fun = getattr(view_leak, name)
    for _ in range(WARMUP):
        fun(*a)
    gc.collect()
    before = proc.memory_info().rss
    for _ in range(CALLS):
        fun(*a)
    gc.collect()
    per_call = (proc.memory_info().rss - before) / CALLS
    verdict = "leak" if per_call > THRESHOLD else "ok"
    leaked = leaked or verdict == "leak"
    print(f"VERDICT {name} {verdict} {per_call:.1f}")
raise SystemExit(1 if leaked else 0)
