"""Validation of returned values on the trusted side: exact type, real dtype, shape, finiteness."""

from __future__ import annotations

import numpy as np
import pytest

from grader.sandbox.values import Foreign, InvalidValue, check_array, check_scalar


def test_a_good_array_is_returned_as_is():
    a = np.zeros((2, 1))
    assert check_array(a, "dw", shape=(2, 1)) is a
    assert check_array(np.array([[0], [1]]), "labels", shape=(2, 1)) is not None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([[1.0], [2.0]], "dw must be a numpy.ndarray, but it is a list"),
        (Foreign("m.Sub", "an ndarray subclass (m.Sub) of shape (2, 1)"), "subclass"),
        (np.array([[1 + 0j], [2]]), "holds complex numbers"),
        (np.array([[True], [False]]), "holds booleans"),
        (np.zeros(2), "must have shape (2, 1), but it has shape (2,)"),
        (np.array([[np.nan], [0.0]]), "NaN or infinity"),
    ],
)
def test_a_wrong_array_says_what_is_wrong(value, message):
    with pytest.raises(InvalidValue) as caught:
        check_array(value, "dw", shape=(2, 1))
    assert message in str(caught.value)
    assert isinstance(caught.value, AssertionError)  # a failed test, not a grader error


@pytest.mark.parametrize("value", [1, 2.5, np.float64(1), np.float32(2), np.int64(3)])
def test_real_scalars_are_accepted(value):
    assert check_scalar(value, "db") is value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (np.array([1.0]), "use float(...)"),
        (True, "a bool"),
        (1 + 2j, "a complex"),
        (np.inf, "must be finite"),
        (None, "None"),
    ],
)
def test_a_wrong_scalar_says_what_is_wrong(value, message):
    with pytest.raises(InvalidValue, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_scalar(value, "db")
