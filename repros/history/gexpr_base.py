# Returning a slice (numpy_gexpr) of an array leaks a reference to the sliced base.
#
# Fix:     PR #1279 "Fix important memory leak in numpy_gexpr to_python"
#          https://github.com/serge-sans-paille/pythran/pull/1279
# Related: issue #1293 "Pythran Generated Code is Taking all RAM Memory"
#          https://github.com/serge-sans-paille/pythran/issues/1293 (same reporter; whether
#          #1279 fully fixed it is not confirmed)
# Leaks:   0.8.7 ("O(1) View conversion to Python") through 0.9.1: the converter did
#          slices = to_python(v.slices); base = to_python(v.arg); PyObject_GetItem(base, slices)
#          and released neither. Fixed for the base in 0.9.2 (added Py_DECREF(base)): an argument
#          base kept one reference per call, an internal base leaked its whole buffer.
# Then:    the slices object stayed leaked until 0.16.0: issue #2200 / PR #2201
#          (https://github.com/serge-sans-paille/pythran/issues/2200,
#          https://github.com/serge-sans-paille/pythran/pull/2201), so these functions keep
#          leaking Python objects (one slice per call) through 0.15.0 and stop in 0.16.0.
# Control: slice_copy copies the slice, so no view goes back to Python.
# Keep every slice bound within CPython's small-int cache (-5..256). A separate bug, measured
# on 0.15.0-0.16.1 and still in the 0.19.0 source: to_python of a slice hands new PyLong bounds
# to PySlice_New without releasing them, so each bound above 256 leaks one int (32 B) per call.

import numpy as np

# pythran export slice_of_arg(float64[:])
# pythran export slice_of_temp(int)
# pythran export slice_copy(float64[:])

# leakcheck: call slice_of_arg(np.ones(1000))
# leakcheck: call slice_of_temp(200)
# leakcheck: call slice_copy(np.ones(1000))


def slice_of_arg(a):
    return a[1:3]


def slice_of_temp(n):
    x = np.zeros(n)
    return x[0:n-1]


def slice_copy(a):
    return a[1:3].copy()
