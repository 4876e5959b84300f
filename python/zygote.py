"""pythran-leakcheck zygote: one warm interpreter per environment to fork measuring processes from.

Starting a harness costs an interpreter and a numpy import (about 0.15 s of a
core each time); a run starts several per function (measurement, argument
check, confirmation, uncompiled control, scaled run). This process pays that
once: it imports numpy and the harness, then forks one child per request.
A child has never called the function under test: it starts from the state
the zygote had before any measurement, so its readings are as independent as
a fresh interpreter's (test/pythran/zygote.test.ts compares the two).

Channels:
  * stdin (read): one JSON request per line, tool -> zygote:
      {"id": N, "socket": PATH, "output": PATH, "cwd": PATH, "config": {...}}
    The child connects to the Unix socket PATH (the tool listens there) and
    speaks the harness protocol over it, both ways; its stdout and stderr go
    to the file `output`. End of stdin: the zygote kills its children and exits.
  * fd 3 (write): one JSON event per line, zygote -> tool:
      {"type": "ready", "pid": P}                       once, after the imports
      {"type": "forked", "id": N, "pid": P}
      {"type": "exit", "id": N, "code": C|null, "signal": "SIGSEGV"|null}
      {"type": "error", "id": N|null, "message": TEXT}  a request it could not serve

Keep this file importable on Python 3.8+.
"""

import contextlib
import gc
import json
import os
import select
import signal
import socket
import sys
import traceback


class Zygote:
    def __init__(self):
        self.requests = None
        self.events = None
        self.wake_r = self.wake_w = -1
        self.children = {}  # pid -> request id
        self.buf = b""

    def send(self, **event):
        self.events.write(json.dumps(event, separators=(",", ":")) + "\n")
        self.events.flush()

    def start(self):
        import harness

        self.requests = harness.stdin_to_devnull()
        self.events = os.fdopen(3, "w", buffering=1)
        # What every harness imports, once: numpy (the expensive one), the harness and its
        # helpers, psutil. Nothing here calls user code.
        import leakcheck_args  # noqa: F401
        import leakcheck_readings  # noqa: F401
        import numpy  # noqa: F401

        with contextlib.suppress(ImportError):
            import psutil  # noqa: F401
        # Everything alive now is shared with every child: frozen, so that no child's collection
        # touches (and copies) it, and its first readings do not depend on the zygote's garbage.
        gc.collect()
        gc.freeze()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)
        self.send(type="ready", pid=os.getpid())

    def loop(self):
        while True:
            ready, _, _ = select.select([self.requests, self.wake_r], [], [])
            if self.wake_r in ready:
                with contextlib.suppress(BlockingIOError):
                    os.read(self.wake_r, 4096)
            self.reap()
            if self.requests in ready:
                chunk = os.read(self.requests, 65536)
                if not chunk:
                    return
                self.buf += chunk
                while b"\n" in self.buf:
                    line, self.buf = self.buf.split(b"\n", 1)
                    if line.strip():
                        self.handle(line)

    def handle(self, line):
        try:
            req = json.loads(line)
            rid = req["id"]
            sock_path, output, cwd, config = req["socket"], req["output"], req["cwd"], req["config"]
            config_text = json.dumps(config)
        except Exception as exc:
            self.send(type="error", id=None, message=f"bad request: {exc}")
            return
        pid = os.fork()
        if pid == 0:
            self.child(sock_path, output, cwd, config_text)  # never returns
        # Its own group before the tool hears of it (the child does the same): a kill of the group
        # then always reaches it.
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
        self.children[pid] = rid
        self.send(type="forked", id=rid, pid=pid)

    def reap(self):
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            rid = self.children.pop(pid, None)
            if rid is None:
                continue
            code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
            sig = signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else None
            self.send(type="exit", id=rid, code=code, signal=sig)

    def child(self, sock_path, output, cwd, config_text):
        code = 70
        try:
            # Leave nothing of the zygote's to the child: its signal set-up, its pipes.
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in (self.wake_r, self.wake_w, self.requests):
                os.close(fd)
            events, self.events = self.events, None
            events.close()  # fd 3
            # Its own process group, so that stopping it stops whatever it starts.
            os.setpgid(0, 0)
            out = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.close(out)
            os.chdir(cwd)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(sock_path)
            fd = sock.detach()
            import harness

            code = harness.serve(config_text, harness.Channel(os.dup(fd), fd))
        except BaseException:
            traceback.print_exc()
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)

    def stop(self):
        for pid in list(self.children):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        self.reap()


def main():
    zygote = Zygote()
    try:
        zygote.start()
    except Exception:
        traceback.print_exc()
        return 1
    try:
        zygote.loop()
    finally:
        zygote.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
