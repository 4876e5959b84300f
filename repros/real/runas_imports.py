# Pythran's own way of saying how to call a function: a #runas line with its imports.
# Generated arguments would be 16x16 arrays of values in [0.5, 1.5); these calls use
# a ramp and an odd-sized stencil, set up by the statements before each call.
import numpy as np

#runas import numpy as np; from math import pi; x = np.linspace(0., pi, 101); trapezoid(np.sin(x), x[1] - x[0])
#pythran export trapezoid(float64[:], float64)
def trapezoid(y, dx):
    return dx * (y[1:] + y[:-1]).sum() / 2.


#runas import numpy as np ; img = np.arange(49., dtype=np.float64).reshape(7, 7) ; k = np.ones((3, 3)) / 9. ; smooth(img, k)
#pythran export smooth(float64[:,:], float64[:,:])
def smooth(img, k):
    n, m = img.shape
    p, q = k.shape
    out = np.zeros((n - p + 1, m - q + 1))
    for i in range(n - p + 1):
        for j in range(m - q + 1):
            out[i, j] = (img[i:i + p, j:j + q] * k).sum()
    return out
