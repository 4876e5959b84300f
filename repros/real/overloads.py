# One function, two export lines. Pythran compiles each signature on its own, so a
# leak can live in one overload only: on Pythran <= 0.15.0 the ndarray overload
# returns a view and leaks its slice key (issue #2200, one slice per call, 56 B),
# while the list overload returns a new list and leaks nothing.
# Measured per overload, window(float64[:,:], int) leaks there and
# window(float list, int) is ok; from 0.16.0 on both are ok.

#runas window([0.5, 1.5, 2.5, 3.5, 4.5, 5.5], 2)
#runas import numpy as np; grid = np.linspace(0., 1., 64).reshape(8, 8); window(grid, 3)

#pythran export window(float list, int)
#pythran export window(float64[:,:], int)
def window(a, i):
    return a[i - 1:i + 2]
