# Matrix products that go through BLAS: np.dot, the .dot method and the @ operator.
import numpy as np

#pythran export matmul_dot(float64[:,:], float64[:,:])
def matmul_dot(a, b):
    return a.dot(b)

#pythran export matmul_at(float64[:,:], float64[:,:])
def matmul_at(a, b):
    return a @ b

#pythran export matvec(float64[:,:], float64[:])
def matvec(a, x):
    return np.dot(a, x) + 1.0
