# Kernels exported only as capsules, for other extensions to call (as scipy's
# _rbfinterp_kernel_pythran.py does): valid Pythran, with nothing callable from Python
# to measure. A run over a folder that holds it must not count it as an error.
from math import exp, sqrt

#pythran export capsule gaussian(float64)
def gaussian(r):
    return exp(-r * r)


#pythran export capsule multiquadric(float64)
def multiquadric(r):
    return -sqrt(r * r + 1.)
