"""Checking what a submission returned, on the trusted side, before anything compares it.

Values arrive decoded from data (`wire.decode`): exact ndarrays, Python or NumPy scalars, tuples,
lists, dicts, None, str, or `Foreign` for whatever could not cross as data. These helpers say in
a sentence a student can act on what is wrong with a value; they raise `InvalidValue`, an
`AssertionError`, so a test that uses them fails (it is not a grader error).

    dw = check_array(dw, "the dw returned by `gradients`", shape=(2, 1))
    db = check_scalar(db, "the db returned by `gradients`")
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grader.sandbox.wire import Foreign

__all__ = ["Foreign", "InvalidValue", "check_array", "check_scalar", "describe"]

REAL_KINDS = "iuf"  # signed and unsigned integers, floats; not bool, complex, text or objects
_KIND_NAMES = {"b": "booleans", "c": "complex numbers", "U": "text", "S": "bytes", "V": "records",
               "M": "dates", "m": "time spans", "O": "Python objects"}  # fmt: skip


class InvalidValue(AssertionError):
    """A returned value has the wrong type, dtype, shape, or is not finite."""


def describe(value: Any) -> str:
    """A short phrase for a value's kind, for messages: "a list", "an ndarray of shape (3,)"."""
    if isinstance(value, Foreign):
        return value.description
    if type(value) is np.ndarray:
        return f"an ndarray of shape {value.shape} and dtype {value.dtype}"
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def check_array(
    value: Any,
    what: str,
    *,
    shape: tuple[int, ...] | None = None,
    kinds: str = REAL_KINDS,
    finite: bool = True,
) -> np.ndarray:
    """`value` if it is an exact `numpy.ndarray` of a real numeric dtype (`kinds`), of `shape`
    (when given) and, with `finite`, without NaN or infinity; else InvalidValue about `what`."""
    if type(value) is not np.ndarray:
        raise InvalidValue(f"{what} must be a numpy.ndarray, but it is {describe(value)}.")
    if value.dtype.kind not in kinds:
        held = _KIND_NAMES.get(value.dtype.kind, f"dtype {value.dtype}")
        raise InvalidValue(f"{what} must hold real numbers, but it holds {held} ({value.dtype}).")
    if shape is not None and value.shape != tuple(shape):
        raise InvalidValue(
            f"{what} must have shape {tuple(shape)}, but it has shape {value.shape}."
        )
    if finite and value.dtype.kind == "f" and not np.isfinite(value).all():
        raise InvalidValue(f"{what} contains NaN or infinity.")
    return value


def check_scalar(value: Any, what: str, *, finite: bool = True) -> int | float | np.number:
    """`value` if it is a real scalar (a Python int or float, or a NumPy integer or float, not a
    bool) and, with `finite`, neither NaN nor infinite; else InvalidValue about `what`."""
    real = type(value) in (int, float) or (
        isinstance(value, np.generic) and value.dtype.kind in REAL_KINDS
    )
    if not real:
        hint = ""
        if type(value) is np.ndarray and value.size == 1:
            hint = " (an array of one element is not a scalar: use float(...))"
        raise InvalidValue(f"{what} must be a real number, but it is {describe(value)}{hint}.")
    if finite and type(value) is not int and not np.isfinite(value):
        raise InvalidValue(f"{what} must be finite, but it is {value}.")
    return value
