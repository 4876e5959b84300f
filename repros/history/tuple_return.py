# Every element of a returned tuple leaks one reference.
#
# Issue:   #720 "Memory leak?"
#          https://github.com/serge-sans-paille/pythran/issues/720
# Fix:     PR #721 "Fix leak when creating tuple"
#          https://github.com/serge-sans-paille/pythran/pull/721
# Leaks:   0.8.2 (the release the issue was reported on; older releases not checked).
#          Fixed in 0.8.3 (Changelog: "Memory leak removal").
# Cause:   tuple converters used PyTuple_Pack(n, to_python(a), ...); PyTuple_Pack takes new
#          references, so each converted element kept one extra reference: a fresh array
#          (2*field) is never freed, an argument returned inside the tuple is never released.
# Note:    every release that leaks predates 0.12 and cannot build modules on Python 3.11 +
#          numpy 1.26; on 0.12.0 and later these functions are expected not to leak.
# Control: scalar_pair returns a tuple of plain scalars.

# pythran export myfunc(float64[:,:])
# pythran export tuple_with_arg(float64[:,:])
# pythran export scalar_pair(float64[:,:])

# leakcheck: call myfunc(np.ones((32, 32)))
# leakcheck: call tuple_with_arg(np.ones((32, 32)))
# leakcheck: call scalar_pair(np.ones((32, 32)))


def myfunc(field):
    return 2*field, 1


def tuple_with_arg(field):
    return field, 1


def scalar_pair(field):
    return field.sum(), 1
