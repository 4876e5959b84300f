# Pythran 0.16.0 regression: the native buffer of every temporary ndarray is never freed.
#
# Fix:     PR #2211 "Fix massive memory leakage in all ndarray"
#          https://github.com/serge-sans-paille/pythran/pull/2211
#          (released through PR #2212 "Release/0.16.1"; reported off-list, no public issue)
# Leaks:   0.16.0 only.
# Fixed:   0.16.1 (Changelog: "Fix massive memory leak in ndarray introduced in 0.16.0").
# Cause:   0.16.0 changed utils::shared_ref<T>::dispose() to free the payload with
#          utils::deallocate() and lost the destructor call, so the raw_array behind a
#          temporary ndarray never frees its data buffer. The buffer comes from malloc:
#          tracemalloc does not see it, the native heap does (8 bytes per element here).
# Control: arg_sum reads its argument and allocates no temporary array.

import numpy as np

# pythran export temp_alloc(int)
# pythran export arg_sum(float64[:])

# leakcheck: call temp_alloc(1000)
# leakcheck: call arg_sum(np.ones(1000))


def temp_alloc(n):
    a = np.ones(n)
    return a.sum()


def arg_sum(v):
    return v.sum()
