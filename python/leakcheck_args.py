"""Arguments for the harness: values built from the tool's plans or from a user's call text.

Keep this file importable on Python 3.8+.
"""


def _array(plan, np):
    dtype = np.dtype(plan["dtype"])
    shape = tuple(plan["shape"])
    steps = [2 if s else 1 for s in plan["strided"]]
    base_shape = tuple(n * k for n, k in zip(shape, steps))
    rng = np.random.default_rng(plan.get("seed", 0))
    count = int(np.prod(base_shape)) if base_shape else 1
    if dtype.kind == "b":
        data = np.arange(count) % 2 == 0
    elif dtype.kind in "iu":
        data = rng.integers(1, 10, size=count)
    elif dtype.kind == "c":
        data = rng.random(count) + 0.5 + 1j * (rng.random(count) + 0.5)
    else:
        data = rng.random(count) + 0.5
    arr = np.asarray(data).astype(dtype).reshape(base_shape)
    if plan.get("order") == "F":
        arr = np.asfortranarray(arr)
    if any(k > 1 for k in steps):
        arr = arr[tuple(slice(None, None, k) for k in steps)]
    return arr


SCALARS = {
    "int": lambda p, np: int(p["v"]),
    "float": lambda p, np: float(p["v"]),
    "complex": lambda p, np: complex(p["re"], p["im"]),
    "bool": lambda p, np: bool(p["v"]),
    "str": lambda p, np: str(p["v"]),
    "none": lambda p, np: None,
    "slice": lambda p, np: slice(p["start"], p["stop"], p["step"]),
    "npscalar": lambda p, np: np.dtype(p["dtype"]).type(p["v"]),
    "array": _array,
}


def build_value(plan, np, module=None):
    t = plan["t"]
    if t in SCALARS:
        return SCALARS[t](plan, np)
    if t == "capsule":  # one of the module's own exported capsules, for a function-typed parameter
        return getattr(module, plan["name"])
    if t == "list":
        return [build_value(p, np, module) for p in plan["items"]]
    if t == "set":
        return {build_value(p, np, module) for p in plan["items"]}
    if t == "tuple":
        return tuple(build_value(p, np, module) for p in plan["items"])
    if t == "dict":
        return {build_value(k, np, module): build_value(v, np, module) for k, v in plan["entries"]}
    raise ValueError(f"unknown argument plan {t!r}")


def build_args(call, np, module=None):
    """The argument list: built from a plan, or evaluated from a written call.

    A written call (`--call`, `# leakcheck: call`, or a `#runas` line) runs in a namespace
    with numpy and the module's own names; a `#runas` line's statements before the call
    (`setup`: imports, assignments) run there first.
    """
    if "expr" in call:
        namespace = {} if module is None else {k: getattr(module, k) for k in dir(module) if not k.startswith("__")}
        namespace.update(np=np, numpy=np)
        setup = call.get("setup") or ""
        if setup.strip():
            exec(compile(setup, "<leakcheck #runas setup>", "exec"), namespace)
        if not call["expr"].strip():
            return []
        value = eval(compile("(" + call["expr"] + ",)", "<leakcheck call>", "eval"), namespace)
        return list(value)
    return [build_value(p, np, module) for p in call["args"]]


def describe(value):
    try:
        import numpy as np

        if isinstance(value, np.ndarray):
            return f"ndarray {value.dtype}{list(value.shape)}"
    except Exception:
        pass
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def nbytes(value):
    """Bytes of an array's data (what a leaked buffer would weigh); None for other values."""
    size = getattr(value, "nbytes", None)
    return int(size) if isinstance(size, int) else None


def scale_value(value, factor, np):
    """The same argument, `factor` times as large: arrays along their first axis, positive ints."""
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        out = np.concatenate([value] * factor, axis=0)
        return np.asfortranarray(out) if value.flags.f_contiguous and not value.flags.c_contiguous else out
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value * factor
    if isinstance(value, list):
        return [scale_value(v, factor, np) for v in value]
    if isinstance(value, tuple):
        return tuple(scale_value(v, factor, np) for v in value)
    return value
