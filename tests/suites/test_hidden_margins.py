"""No knife edges: every stopping decision the hidden suite provokes is decided by a wide margin.

The hidden suite runs in-process here, with the reference itself as the student. Its `abs` is
replaced by one that records `abs(loss - previous_loss)`, so every check of the stopping rule
made by a hidden test is seen with the `tol` it was compared with. A decision within rounding
of `tol` could go either way for a correct implementation that sums in another order; this test
requires a margin of at least `MARGIN` times `tol` (rounding moves the loss by about 1e-16).
Near convergence consecutive changes of the loss shrink by a few percent per step, so a margin
of about 1% of tol is the most a stop by convergence can have.
"""

from __future__ import annotations

import builtins
import copy
import importlib.util
import inspect
import types
from pathlib import Path

import numpy as np
import pytest

import grader

ROOT = Path(grader.__file__).resolve().parent
HIDDEN = ROOT / "suites" / "hidden"
SOLUTIONS = ROOT.parent / "solutions"
MODULES = ("batch_gradient", "sgd", "logistic_regression")
MARGIN = 1e-3


def _load(module: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"_margins_{module}", SOLUTIONS / f"{module}.py")
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


class Result:
    def __init__(self, value):
        self.value, self.mutated, self.output, self.seconds = value, (), "", 0.0


class ReferenceStudent:
    """`student.<module>.<function>(...)` on a recording copy of the reference, in-process."""

    def __init__(self, record: list) -> None:
        self.last = None
        self._record = record
        self._modules = {m: _load(m) for m in MODULES}

    def __getattr__(self, module: str):
        loaded = self._modules[module]
        student = self

        class Functions:
            def __getattr__(self, name: str):
                function = getattr(loaded, name)

                def call(*args, **kwargs):
                    bound = inspect.signature(function).bind(*args, **kwargs)
                    bound.apply_defaults()
                    tol = bound.arguments.get("tol")
                    seen: list[float] = []

                    def recording_abs(x):
                        value = builtins.abs(x)
                        seen.append(float(value))
                        return value

                    loaded.abs = recording_abs
                    try:
                        value = function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
                    finally:
                        del loaded.abs
                    if tol is not None:
                        student._record.extend((name, tol, d) for d in seen if np.isfinite(d))
                    student.last = Result(value)
                    return value

                return call

        return Functions()


class Plugin:
    def __init__(self) -> None:
        self.record: dict[str, list] = {}
        self.failed: list[str] = []

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "grades(function): the function a test scores")

    @pytest.fixture
    def student(self, request):
        return ReferenceStudent(self.record.setdefault(request.node.nodeid, []))

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed.append(report.nodeid)


@pytest.fixture(scope="module")
def decisions():
    plugin = Plugin()
    code = pytest.main(
        [str(HIDDEN), "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
         "-c", str(ROOT / "suites" / "pytest.ini"), "--rootdir", str(ROOT / "suites")],
        plugins=[plugin],
    )  # fmt: skip
    assert code == 0 and not plugin.failed, f"the reference fails hidden tests: {plugin.failed}"
    return plugin.record


def test_the_suite_makes_stopping_decisions(decisions):
    checks = sum(len(v) for v in decisions.values())
    stopped_tests = [k for k, v in decisions.items() if any(d < tol for _, tol, d in v)]
    assert checks > 1000 and len(stopped_tests) >= 8, (checks, stopped_tests)


def test_every_stopping_decision_has_a_wide_margin(decisions):
    close = [
        f"{test}: {function} compared {d!r} with tol={tol!r}"
        for test, seen in decisions.items()
        for function, tol, d in seen
        if builtins.abs(d - tol) < MARGIN * tol
    ]
    assert not close, "\n".join(close)
