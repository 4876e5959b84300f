"""Kernels that take milliseconds per call, as real ones do.

A batch then holds one or two calls, so anything the measuring harness keeps per
batch would look like a leak of the function (issue 9). slow_sum and
slow_passes leak nothing; slow_view returns a view of its argument after a slow
loop, which leaks three Python objects per call on Pythran 0.15.0 and before
(the seed's leak, #2200), one call every few milliseconds.
"""
import numpy as np

# pythran export slow_sum(float64[:], int)
# pythran export slow_passes(float64[:, :, :, :], int)
# pythran export slow_view(float32[:, :], int, int, int)


def slow_sum(x, n):
    s = 0.0
    for i in range(n * 400000):
        s += x[i % x.shape[0]] * 1.0000001
    return s


def slow_passes(a, passes):
    # `passes` is an argument so that Pythran does not unroll the loop.
    s = a.copy()
    for _ in range(passes):
        s = np.sqrt(s * 1.0001 + 0.5)
    return s.sum()


def slow_view(correl, ix, iy, n):
    s = 0.0
    for i in range(n * 400000):
        s += correl[i % correl.shape[0], i % correl.shape[1]]
    correl[0, 0] = s * 1e-30
    return correl[iy - 1 : iy + 2, ix - 1 : ix + 2]


# leakcheck: call slow_sum(np.ones(16), 4)
# leakcheck: call slow_passes(np.ones((16, 16, 16, 16)), 120)
# leakcheck: call slow_view(np.ones((16, 16), np.float32), 4, 4, 4)
