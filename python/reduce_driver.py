"""Search engine of `pythran-leakcheck reduce`: pysource-minimize, judged by the tool.

Runs in the reducer's own venv (pysource-minimize from PyPI). The one argument
is a JSON document: the source, the function, the export types of its
parameters in order, an optional `# leakcheck: call` line, and a work folder.

pysource_minimize.minimize(source, checker) shrinks the module; for each
candidate the checker writes a whole repro (the function's export line made
from the parameters it still has, then the code) to the work folder and asks
the tool, on stdout, whether it is interesting:

    {"type": "candidate", "id": "...", "path": "...", "bodyLines": n, "lines": n, "assume": id | null}

The tool answers on stdin, one line per candidate: {"id": "...", "interesting": true}.

Two candidates are judged at once: when the main line of the search asks
about a candidate A, it forks; the parent waits for A's answer while the child
goes on as if A were not interesting (most candidates are not) and asks about
the next one, with `"assume": A`. When A is not interesting the parent exits
and the child is the main line; when it is, the parent kills the child (the
tool drops the child's candidate) and goes on. A speculative child never forks.

The first process stays as the coordinator: it owns stdin (answers go to
files in the work folder that the searchers poll) and ends when the last
searcher has ended. The last message is {"type": "done", ...} or
{"type": "error", ...}.
"""

import ast
import contextlib
import hashlib
import json
import os
import signal
import sys
import threading
import time
import traceback

POLL_SECONDS = 0.02


def send(message):
    data = (json.dumps(message) + "\n").encode()
    # One write per message: lines from two searchers never interleave (pipe writes
    # below PIPE_BUF are atomic; messages carry paths, not sources).
    os.write(1, data)


def target_def(tree, name):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


class Candidates:
    """Turns the minimizer's sources into repros: the export line from the parameters left."""

    def __init__(self, cfg):
        self.function = cfg["function"]
        self.call_line = cfg.get("callLine")
        self.work = cfg["work"]
        self.module = cfg["moduleName"]
        original = target_def(ast.parse(cfg["source"]), self.function)
        if original is None:
            raise SystemExit(f"no top-level function {self.function}")
        names = [a.arg for a in original.args.posonlyargs + original.args.args]
        self.types = dict(zip(names, cfg["types"]))
        self.order = names

    def make(self, source):
        """(text, bodyLines, lines), or None when the candidate cannot be a repro of the function."""
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return None
        fn = target_def(tree, self.function)
        if fn is None or not fn.body:
            return None
        a = fn.args
        if a.vararg or a.kwarg or a.kwonlyargs or a.defaults or fn.decorator_list:
            return None
        params = [x.arg for x in a.posonlyargs + a.args]
        if any(p not in self.types for p in params):
            return None
        positions = [self.order.index(p) for p in params]
        if positions != sorted(positions):
            return None
        export = f"# pythran export {self.function}({', '.join(self.types[p] for p in params)})"
        head = [export]
        if self.call_line and params == self.order:
            head.append(self.call_line)
        body_lines = fn.end_lineno - fn.body[0].lineno + 1
        text = "\n".join(head) + "\n\n" + source.rstrip() + "\n"
        lines = sum(1 for line in text.splitlines() if line.strip())
        return text, body_lines, lines


class Searcher:
    def __init__(self, cfg):
        self.candidates = Candidates(cfg)
        self.answers = os.path.join(cfg["work"], "answers")
        self.assume = None  # the candidate this (speculative) process assumes not interesting
        self.seen = {}
        self.count = 0

    def answer(self, cid):
        path = os.path.join(self.answers, cid)
        try:
            with open(path) as f:
                return f.read().strip() == "1"
        except FileNotFoundError:
            return None

    def settle(self):
        """A speculative process: exit when its assumption proved wrong, become the main line when it held."""
        if self.assume is None:
            return
        a = self.answer(self.assume)
        if a is True:
            os._exit(0)
        if a is False:
            self.assume = None

    def wait(self, cid):
        while True:
            self.settle()
            a = self.answer(cid)
            if a is not None:
                return a
            time.sleep(POLL_SECONDS)

    def check(self, source):
        made = self.candidates.make(source)
        if made is None:
            return False
        text, body_lines, lines = made
        key = hashlib.sha256(text.encode()).hexdigest()
        if key in self.seen:
            return self.seen[key]
        self.count += 1
        cid = f"{os.getpid()}-{self.count}"
        folder = os.path.join(self.candidates.work, "c", cid)
        os.makedirs(folder)
        path = os.path.join(folder, f"{self.candidates.module}.py")
        with open(path, "w") as f:
            f.write(text)
        self.settle()
        message = {"type": "candidate", "id": cid, "path": path, "bodyLines": body_lines, "lines": lines}
        send({**message, "assume": self.assume})
        if self.assume is None:
            child = os.fork()
            if child == 0:
                self.assume = cid
                self.seen[key] = False
                return False
            result = self.wait(cid)
            if result:
                os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
            else:
                os._exit(0)  # the child is right: it is the main line now
        else:
            result = self.wait(cid)
        self.seen[key] = result
        return result


def search(cfg):
    import pysource_minimize

    searcher = Searcher(cfg)
    source = ast.unparse(ast.parse(cfg["source"]))
    try:
        reduced = pysource_minimize.minimize(source, searcher.check)
    except pysource_minimize.CouldNotMinimize:
        while searcher.assume is not None:
            searcher.settle()
            time.sleep(POLL_SECONDS)
        reason = "the function, printed back from its syntax tree, no longer leaks the same way"
        send({"type": "error", "kind": "not-reproducible", "message": reason})
        return
    while searcher.assume is not None:
        searcher.settle()
        time.sleep(POLL_SECONDS)
    made = searcher.candidates.make(reduced)
    send({"type": "done", "source": made[0] if made else reduced})


def pump_answers(answers):
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        msg = json.loads(line)
        tmp = os.path.join(answers, f".{msg['id']}.tmp")
        with open(tmp, "w") as f:
            f.write("1" if msg["interesting"] else "0")
        os.rename(tmp, os.path.join(answers, msg["id"]))


def main():
    cfg = json.loads(sys.argv[1])
    answers = os.path.join(cfg["work"], "answers")
    os.makedirs(answers, exist_ok=True)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            search(cfg)
        except BaseException:  # reported to the tool, which owns the error
            send({"type": "error", "kind": "driver", "message": traceback.format_exc(limit=5)})
        os._exit(0)
    os.close(write_end)
    threading.Thread(target=pump_answers, args=(answers,), daemon=True).start()
    # Every searcher holds the pipe's write end: EOF means the last one has ended.
    while os.read(read_end, 1):
        pass
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


if __name__ == "__main__":
    main()
