"""Fixtures of the hidden suite: the reference solutions and `agree`, a student-vs-reference check.

The hidden suite never ships to students, so it may use the reference solutions (`ref`).
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import pickle
import types

import pytest

from grader.course import load_course
from grader.instructor import layout
from grader.suites import checks
from grader.suites.hidden import answers

#: The reference solutions, beside the grader package or inside it once installed. They are loaded
#: from there by path, never through sys.path: a folder called `solutions` in the current
#: directory (say, in a submission graded with `python -m grader .`) must not stand in for them.
SOLUTIONS = layout.solutions()


def _load_reference(module: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"_grader_reference_{module}", SOLUTIONS / f"{module}.py"
    )
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


@pytest.fixture(scope="session")
def ref() -> types.SimpleNamespace:
    """The reference implementations, one attribute per exercise module."""
    modules = [e.module for e in load_course().exercises]
    return types.SimpleNamespace(**{m: _load_reference(m) for m in modules})


class Agree:
    """Call one function of the student and of the reference on the same inputs, and compare.

    `agree("gradients", X, y, w, b, about="on ...")` checks the returned type, shape and value
    (checks.result) and that no argument was changed in place; it returns the student's value,
    normalised. The exercise is the test module's (`test_sgd.py` -> `sgd`).
    """

    def __init__(self, student, ref, module: str) -> None:
        self.student, self.ref, self.module = student, ref, module
        #: What the student returned in this test, by function and inputs (see `twice`).
        self.seen: dict[str, list] = {}

    def expected(self, function: str, *args, **kwargs):
        """The reference's answer, on private copies of the inputs (generators included),
        remembered for the next submission graded by this process (see answers.py)."""
        f = getattr(getattr(self.ref, self.module), function)
        return answers.answer(f"{self.module}.{function}", f, args, kwargs)

    def __call__(self, function: str, *args, about: str = "", tolerance=None, **kwargs):
        expected = self.expected(function, *args, **kwargs)
        return self.check(function, expected, *args, about=about, tolerance=tolerance, **kwargs)

    def shapes(self, function: str, *args, about: str = "", **kwargs):
        """Like calling `agree`, but only types and shapes are compared (random results, so
        never remembered)."""
        f = getattr(getattr(self.ref, self.module), function)
        expected = f(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        return self.check(function, expected, *args, about=about, values=False, **kwargs)

    def twice(self, function: str, *args, about: str = "", **kwargs):
        """Like calling `agree`, after a first call on the same inputs: a result that does not
        depend on the inputs alone (NumPy's global generator instead of `rng`) is then seen."""
        self.observe(function, args, kwargs)
        return self(function, *args, about=about, **kwargs)

    def observe(self, function: str, args: tuple, kwargs: dict):
        """Call the student's function on copies of the inputs and remember what it returned."""
        before = copy.deepcopy((args, kwargs))
        got = getattr(getattr(self.student, self.module), function)(*args, **kwargs)
        self.seen.setdefault(_digest(function, before), []).append(got)
        return got, before

    def check(
        self, function: str, expected, *args, about="", tolerance=None, values=True, **kwargs
    ):
        """Compare the student's `function(*args, **kwargs)` with a given `expected`."""
        earlier = tuple(self.seen.get(_digest(function, copy.deepcopy((args, kwargs))), ()))
        got, before = self.observe(function, args, kwargs)
        mutated = tuple(self.student.last.mutated or ())
        call = checks.Call(self.module, function, *before, mutated=mutated, earlier=earlier)
        value = checks.result(
            self.module,
            function,
            got,
            expected,
            about=about,
            tolerance=tolerance,
            call=call,
            values=values,
        )
        checks.unchanged(mutated, checks.Context(function, about=about, call=call))
        return value


def _digest(function: str, inputs: tuple) -> str:
    """A key for a call's inputs (the suite's own values, so pickling them is safe)."""
    return function + hashlib.sha256(pickle.dumps(inputs)).hexdigest()


@pytest.fixture
def agree(student, ref, request) -> Agree:
    """The student-vs-reference check for the exercise of the requesting test module."""
    module = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    return Agree(student, ref, module)
