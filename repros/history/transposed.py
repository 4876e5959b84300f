# Returning a transposed array leaks the untransposed base array.
#
# Issue:   #1761 "transposed arrays not deallocated"
#          https://github.com/serge-sans-paille/pythran/issues/1761
# Fix:     PR #1762 "Fix memory leak when calling PyArray_Transpose"
#          https://github.com/serge-sans-paille/pythran/pull/1762
# Leaks:   0.8.2 (earliest sdist checked; the unfixed code is in every sdist from 0.8.2)
#          through 0.9.9. Fixed in 0.9.10 (Changelog: "Fix important memory leak in
#          handling of transposed matrices").
# Cause:   to_python<ndarray>(..., transpose=true) returned PyArray_Transpose(arr) without
#          Py_DECREF(arr), so the base array and its whole buffer stayed alive.
# Note:    every release that leaks predates 0.12 and cannot build modules on Python 3.11 +
#          numpy 1.26; on 0.12.0 and later these functions are expected not to leak.
# Control: make_array returns a fresh array without transposing it.

import numpy as np

# pythran export make_transposed_array(int)
# pythran export transpose_arg(float64[:,:])
# pythran export make_array(int)

# leakcheck: call make_transposed_array(32)
# leakcheck: call transpose_arg(np.ones((32, 32)))
# leakcheck: call make_array(32)


def make_transposed_array(n):
    return np.ones((n, n)).T


def transpose_arg(a):
    return a.T


def make_array(n):
    return np.ones((n, n))
