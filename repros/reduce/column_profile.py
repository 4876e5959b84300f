# A column-profile kernel with several temporary arrays. On Pythran 0.16.0 the
# buffer of every temporary ndarray is never freed (a native-heap leak, fixed in
# 0.16.1, see repros/history/temp_buffer_0160.py). Input for `reduce`: the leak
# needs one temporary, the function has many more lines.
#
# Try: npx pythran-leakcheck reduce repros/reduce/column_profile.py::column_profile --pythran 0.16.0

import numpy as np

# pythran export column_profile(float64[:, :], float)
# pythran export column_means(float64[:, :])


def column_means(image):
    return image.sum(axis=0) / image.shape[0]


def column_profile(image, cutoff):
    rows = image.shape[0]
    cols = image.shape[1]
    means = np.zeros(cols)
    for j in range(cols):
        means[j] = image[:, j].sum() / rows
    centred = image - means
    squares = centred * centred
    spread = np.sqrt(squares.sum(axis=0) / rows)
    weights = np.exp(-spread)
    total = weights.sum()
    profile = means * weights / total
    peak = 0.0
    for j in range(cols):
        if profile[j] > peak:
            peak = profile[j]
    mask = profile > cutoff * peak
    kept = 0
    for j in range(cols):
        if mask[j]:
            kept += 1
    return peak, kept
