# The kernel behind Pythran issue #2200 (fluidimage's sub-pixel peak finder), in
# the shape it had when the leak was found: a Gaussian fit over the 3x3
# neighbourhood of a correlation peak, which returns the neighbourhood as a view.
# On Pythran up to 0.15.0 every call leaks the tuple of slices built to convert
# that view back to NumPy (fixed in 0.16.0). Input for `reduce`: the function is
# long, and the module has more in it than the leak needs.
#
# Try: npx pythran-leakcheck reduce repros/reduce/subpix_gaussian.py::compute_subpix_2d_gaussian2 --pythran 0.15.0

import math

import numpy as np

# pythran export compute_subpix_2d_gaussian2(float32[:, :], int, int)
# pythran export peak_position(float32[:, :])


def peak_position(correl):
    flat = np.argmax(correl)
    return flat // correl.shape[1], flat % correl.shape[1]


def _safe_log(value):
    return math.log(max(value, 1e-6))


def compute_subpix_2d_gaussian2(correl, ix, iy):
    # the 3x3 neighbourhood of the peak: a view of the correlation
    crop = correl[iy - 1 : iy + 2, ix - 1 : ix + 2]

    # no value may be negative before the logarithm
    negative = np.where(crop < 0)
    for row, col in zip(negative[0], negative[1]):
        crop[row, col] = 1e-6

    s00 = 0.0
    s10 = 0.0
    s01 = 0.0
    s11 = 0.0
    s20 = 0.0
    s02 = 0.0
    for i in range(3):
        for j in range(3):
            value = np.log(crop[j, i])
            dx = i - 1
            dy = j - 1
            s10 += dx * value
            s01 += dy * value
            s11 += dx * dy * value
            s20 += (3 * dx**2 - 2) * value
            s02 += (3 * dy**2 - 2) * value
            s00 += (5 - 3 * dx**2 - 3 * dy**2) * value

    s00 = s00 / 9
    s10 = s10 / 6
    s01 = s01 / 6
    s11 = s11 / 4
    s20 = s20 / 6
    s02 = s02 / 6
    denominator = 4 * s20 * s02 - s11**2
    shift_x = (s11 * s01 - 2 * s10 * s02) / denominator
    shift_y = (s11 * s10 - 2 * s01 * s20) / denominator
    return shift_x, shift_y, crop
