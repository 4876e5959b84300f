# A function-typed parameter: apply_all takes any function float -> float. From Python,
# Pythran accepts a capsule of that signature, and the module exports one (square), so
# the call can pass it (getattr(module, 'square')); uncompiled, square is a plain function.
import numpy as np

#pythran export capsule square(float64)
def square(x):
    return x * x


#pythran export apply_all(float(float), float64[:])
def apply_all(f, xs):
    out = np.empty_like(xs)
    for i in range(xs.shape[0]):
        out[i] = f(xs[i])
    return out
