"""Describe a Python environment for pythran-leakcheck, without importing Pythran.

Prints one JSON document on stdout. Reads package versions from installed
metadata (fast), and works out which C++ compiler Pythran will use the way
Pythran does: $CXX, then the [compiler] CXX of the user's .pythranrc, then
the compiler distutils would pick (sysconfig CC).
Keep this file importable on Python 3.8+.
"""
import contextlib
import json
import os
import sys
import sysconfig


def dist_version(name):
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover - Python < 3.8
        return None
    try:
        return metadata.version(name)
    except Exception:
        return None


def dist_commit(name):
    """The commit of a VCS install (PEP 610 direct_url.json), when there is one."""
    try:
        from importlib import metadata

        text = metadata.distribution(name).read_text("direct_url.json")
        if text:
            info = json.loads(text).get("vcs_info") or {}
            return info.get("commit_id")
    except Exception:
        pass
    return None


def pythran_location():
    try:
        import importlib.util

        spec = importlib.util.find_spec("pythran")
        if spec is not None and spec.origin:
            return os.path.dirname(spec.origin)
    except Exception:
        pass
    return None


def source_version(location):
    """A source tree on the path has no metadata: read pythran/version.py (not bumped between releases)."""
    try:
        import re

        with open(os.path.join(location, "version.py")) as f:
            m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", f.read())
        return m.group(1) if m else None
    except OSError:
        return None


def pythranrc_path():
    """The user configuration file Pythran reads (pythran/config.py, get_paths_cfg)."""
    path = os.environ.get("PYTHRANRC")
    if path is None:
        folder = os.environ.get("XDG_CONFIG_HOME") or os.environ.get("HOME") or "~"
        path = os.path.join(folder, ".pythranrc")
    return os.path.expanduser(path)


def pythranrc():
    path = pythranrc_path()
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None, None
    cxx = None
    try:
        import configparser

        cfg = configparser.ConfigParser()
        cfg.read_string(text)
        cxx = cfg.get("compiler", "CXX", fallback=None) or None
    except Exception:
        pass
    return text, cxx


def stamps():
    """Folders whose change (a package installed, removed or upgraded) makes this description stale."""
    import site

    folders = list(getattr(site, "getsitepackages", lambda: [])())
    with contextlib.suppress(Exception):
        folders.append(site.getusersitepackages())
    folders += [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return sorted(set(f for f in folders if os.path.isdir(f)))


def main():
    rc_text, rc_cxx = pythranrc()
    cxx = os.environ.get("CXX") or rc_cxx or (sysconfig.get_config_var("CC") or "c++").split()[0]
    location = pythran_location()
    print(json.dumps({
        "executable": sys.executable,
        "prefix": sys.prefix,
        "python": sys.version.split()[0],
        "implementation": sys.implementation.name,
        "extSuffix": sysconfig.get_config_var("EXT_SUFFIX") or ".so",
        "soabi": sysconfig.get_config_var("SOABI"),
        "pythran": (dist_version("pythran") or source_version(location)) if location else None,
        "pythranCommit": dist_commit("pythran") if location else None,
        "pythranLocation": location,
        "numpy": dist_version("numpy"),
        "psutil": dist_version("psutil"),
        "gast": dist_version("gast"),
        "beniget": dist_version("beniget"),
        "cxx": cxx,
        "pythranrc": rc_text,
        "pythranrcPath": pythranrc_path(),
        "blasPackage": dist_version("pythran-openblas"),
        "stamps": stamps(),
        "buildEnv": dict((k, os.environ.get(k)) for k in ("CXX", "CC", "CXXFLAGS", "CFLAGS", "LDFLAGS", "CPPFLAGS") if os.environ.get(k)),
    }))


if __name__ == "__main__":
    main()
