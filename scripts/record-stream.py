"""Record a harness message stream for the replay tests (test/fixtures/streams/).

Usage: python scripts/record-stream.py PYTHON MODULE.so MODULE_NAME FUNCTION CALL_EXPR SAMPLES_PER_PHASE OUT.jsonl

Runs python/harness.py like the tool does and sends "next" after the given
number of samples in each phase, so the recording has a fixed length. The
last line of OUT is a comment-free JSON object {"end": {...}} with the exit status.
"""
import json
import os
import subprocess
import sys

python, module, name, function, expr, per_phase, out = sys.argv[1:8]
here = os.path.dirname(os.path.abspath(__file__))
cfg = dict(protocol=1, modulePath=module, moduleName=name, function=function, call={"expr": expr},
           warmupSeconds=0.05, warmupMinCalls=10, batchSeconds=0.01, maxBatchCalls=20000,
           phases=["plain", "traced"], census=True)
r, w = os.pipe()
proc = subprocess.Popen([python, os.path.join(here, "..", "python", "harness.py"), json.dumps(cfg)],
                        stdin=subprocess.PIPE, close_fds=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                        preexec_fn=lambda: os.dup2(w, 3))
os.close(w)
lines = []
count = 0
with os.fdopen(r) as chan:
    for line in chan:
        lines.append(line.rstrip("\n"))
        msg = json.loads(line)
        if msg["type"] == "phase":
            count = 0
        if msg["type"] == "sample":
            count += 1
            if count == int(per_phase):
                proc.stdin.write(b"next\n")
                proc.stdin.flush()
proc.stdin.close()
err = proc.stderr.read().decode()
code = proc.wait()
with open(out, "w") as f:
    for line in lines:
        f.write(line + "\n")
    signal = None if code >= 0 else f"SIG{-code}"
    end = {"exitCode": code if code >= 0 else None, "signal": signal, "stderrTail": err[-500:]}
    f.write(json.dumps({"end": end}) + "\n")
