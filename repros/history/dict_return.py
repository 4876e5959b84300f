# Returning a dict that holds the argument array keeps a reference to the argument.
#
# Issue:   #1384 "Possible memory leak in dict as function result"
#          https://github.com/serge-sans-paille/pythran/issues/1384
# Fix:     PR #1386 "Fix memory leak when converting a dict to python"
#          https://github.com/serge-sans-paille/pythran/pull/1386
# Leaks:   0.8.2 (earliest release checked) through 0.9.3; fixed in 0.9.4
#          (Changelog 0.9.4: "Fix memory leak when converting a dict to python";
#          the 0.9.4 sdist on PyPI is broken, 0.9.4.post0 carries the fix).
#          Cause then: PyDict_SetItem(ret, to_python(key), to_python(value)) never
#          released key and value, so every value (here the argument) leaked a reference.
# Again:   0.16.0, through the shared_ref regression fixed by PR #2211
#          (https://github.com/serge-sans-paille/pythran/pull/2211) in 0.16.1: the dict's
#          storage is freed without its destructor, so the array it holds never drops its
#          reference to the argument (refcount of v grows by 1 per call).
# Not leaking: 0.9.4 through 0.15.0 as far as known (measured on 0.12.0-0.15.0), and 0.16.1+.
# Control: return_arg returns the argument itself, with no container around it.

# pythran export dict_test(float[:])
# pythran export return_arg(float[:])

# leakcheck: call dict_test(np.ones(1000))
# leakcheck: call return_arg(np.ones(1000))


def dict_test(v):
    return {'a': v}


def return_arg(v):
    return v
