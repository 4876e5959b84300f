"""A compiler cache for the C++ of commit-tree builds (bisect), used as Pythran's CXX.

Called as the C++ compiler with the compiler's own arguments. A compile
(`-c SRC -o OBJ`) is keyed by the preprocessed source (`-E`, with the source's
folder, a fresh temporary one per build, written out), the other arguments
and the compiler's `--version`; a hit copies the stored object, a miss compiles
and stores it. Everything else (the link) runs the real compiler as it is.

Environment: PYTHRAN_LEAKCHECK_REAL_CXX (the compiler to run, default c++),
PYTHRAN_LEAKCHECK_CXX_CACHE (the folder of stored objects; unset: no cache).
"""

import hashlib
import os
import shutil
import subprocess
import sys

SOURCE_SUFFIXES = (".cpp", ".cc", ".cxx", ".C")


def run_real(real, args):
    os.execvp(real, [real, *args])


def linker(real):
    """The driver that links: Pythran, left to its defaults, compiles with sysconfig's CC
    and links with its CXX (the C++ driver, which brings libstdc++); given a CXX, it uses
    that for both."""
    import sysconfig

    cc = (sysconfig.get_config_var("CC") or "").split()
    cxx = (sysconfig.get_config_var("CXX") or "").split()
    return cxx[0] if cc and cxx and cc[0] == real else real


def cache_key(real, args, src, out):
    folder = os.path.dirname(os.path.abspath(src)).encode()
    pre_args = [a for i, a in enumerate(args) if a != "-c" and args[i - 1 : i] != ["-o"] and a != "-o"]
    pre = subprocess.run([real, *pre_args, "-E"], capture_output=True, check=False)
    if pre.returncode != 0:
        return None
    version = subprocess.run([real, "--version"], capture_output=True, check=False).stdout
    h = hashlib.sha256()
    h.update(real.encode() + b"\0" + version + b"\0")
    for a in args:
        if a == out:
            a = "<out>"
        h.update(a.replace(os.path.dirname(os.path.abspath(src)), "<src>").encode() + b"\0")
    h.update(pre.stdout.replace(folder, b"<src>"))
    return h.hexdigest()


def main(argv):
    real = os.environ.get("PYTHRAN_LEAKCHECK_REAL_CXX") or "c++"
    cache = os.environ.get("PYTHRAN_LEAKCHECK_CXX_CACHE")
    args = argv[1:]
    sources = [a for a in args if a.endswith(SOURCE_SUFFIXES)]
    if "-c" not in args:
        run_real(linker(real), args)
    if not cache or "-o" not in args or len(sources) != 1:
        run_real(real, args)
    out = args[args.index("-o") + 1]
    key = cache_key(real, args, sources[0], out)
    if key is None:
        run_real(real, args)
    stored = os.path.join(cache, key[:2], key + ".o")
    if os.path.isfile(stored) and os.path.getsize(stored) > 0:
        shutil.copyfile(stored, out)
        return 0
    code = subprocess.run([real, *args], check=False).returncode
    if code == 0 and os.path.isfile(out):
        os.makedirs(os.path.dirname(stored), exist_ok=True)
        tmp = f"{stored}.{os.getpid()}.tmp"
        shutil.copyfile(out, tmp)
        os.replace(tmp, stored)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
