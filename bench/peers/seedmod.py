"""Imports the compiled seed module the tool built (its folder is on sys.path via
PEERS_MODULE_DIR) and gives the arguments the tool generates for it."""

import importlib.util
import os

import numpy as np

_path = os.environ["PEERS_MODULE_PATH"]
_spec = importlib.util.spec_from_file_location("view_leak", _path)
view_leak = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(view_leak)
assert view_leak.__file__.endswith(".so"), view_leak.__file__

FUNCTIONS = ("simpler_leak", "simpler_no_leak")


def args():
    """A float32 16x16 array, 4, 4: the call the tool makes."""
    return (np.arange(256, dtype=np.float32).reshape(16, 16), 4, 4)
