"""Shared helpers of the feedback tests: run a deliberately wrong implementation and diagnose it."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import solutions
import solutions.batch_gradient
import solutions.logistic_regression
import solutions.sgd
from grader.feedback.diagnoses import bind, explain_error, identify, qualified


def changed(before, after) -> bool:
    return isinstance(before, np.ndarray) and not np.array_equal(before, after)


class Diagnose:
    """Call a wrong implementation and the reference on copies of the same inputs, then identify.

    `diagnose("batch_gradient.gradients", wrong, X, y, w, b)` returns `(key, message)` of the
    mistake recognised (or None), the way the grader sees it: inputs by name, and the names of
    the arrays the wrong implementation changed in place; with `twice=True` it is called twice on
    the same inputs first, as a test of the suite may do, and the detectors see what the earlier
    call returned (they never call it themselves).
    """

    def __call__(
        self, function, wrong, *args, reference=solutions, part=None, twice=False, **kwargs
    ):
        name = qualified(function)
        module, short = name.split(".")
        ref = getattr(getattr(solutions, module), short)
        expected = ref(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        call_args, call_kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            earlier = (wrong(*copy.deepcopy(args), **copy.deepcopy(kwargs)),) if twice else ()
            got = wrong(*call_args, **call_kwargs)
        inputs = bind(name, args, kwargs)
        given = bind(name, call_args, call_kwargs)
        mutated = tuple(k for k in inputs if changed(inputs[k], given.get(k)))
        if part is not None:
            index = ("dw", "db", "w", "b").index(part) % 2
            got, expected = got[index], expected[index]

        return identify(
            name, got=got, expected=expected, inputs=inputs, reference=reference, part=part,
            mutated=mutated, earlier=earlier,
        )  # fmt: skip

    def error(self, function, wrong, *args, **kwargs):
        """Run `wrong` with NumPy warnings as errors (as the worker does); explain the error."""
        with warnings.catch_warnings(), np.errstate(over="warn", divide="warn", invalid="warn"):
            warnings.simplefilter("error")
            try:
                wrong(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                return explain_error(function, f"{type(e).__name__}: {e}")
        raise AssertionError("the wrong implementation did not raise")


@pytest.fixture
def diagnose() -> Diagnose:
    return Diagnose()


@pytest.fixture(autouse=True)
def fresh_search_budget():
    """Each test gets the variant search's whole budget, as each submission does."""
    from grader.feedback import variants

    variants._SPENT[0] = 0.0
    variants._GAVE_UP.clear()
    yield
