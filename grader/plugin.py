"""The pytest plugin of the grader: the `student` fixture, the `grades` marker, and test statuses.

Statuses are decided here, from the exception a test ended with, not from pytest's outcome:
an `AssertionError` (a check that failed) is `failed`; a `SubmissionProblem` raised by the
sandbox is `error` or `timeout`; anything else is a bug of the grader, reported as such.
"""

from __future__ import annotations

import copy
import re
import traceback
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import pytest

from grader.feedback.diagnoses import with_advice
from grader.report import Status
from grader.sandbox.errors import SubmissionProblem
from grader.suites.checks import Call, argument_names

GRADER_BUG_FEEDBACK = (
    "The grader could not check this, and it is not your fault: an internal error stopped the "
    "test. Please tell your instructor; your other results are unaffected."
)
#: How much of one test's captured output the report keeps.
OUTPUT_CAP = 4096
#: What the sandbox appends to a call's output it cut (process.WorkerProcess.take_output).
SANDBOX_CUT_NOTE = re.compile(
    r"\[\.\.\. output cut: [0-9.]+ (?:bytes|KB|MB) more not shown \.\.\.\]"
)
MAX_NOTES = 3


@dataclass
class Outcome:
    """What one test did, as the grader sees it."""

    exercise: str
    function: str
    title: str
    status: Status = Status.PASSED
    feedback: str = ""
    output: list[str] = field(default_factory=list)
    grader_error: str = ""


class _Module:
    """`student.batch_gradient`: attribute access gives a callable that runs in the sandbox."""

    def __init__(self, student: Student, module: str) -> None:
        self._student, self._module = student, module

    def __getattr__(self, function: str):
        if function.startswith("__"):
            raise AttributeError(function)
        return partial(self._student.call, self._module, function)


class Student:
    """The submission as the suites see it: `student.<module>.<function>(*args, **kwargs)`."""

    def __init__(self, sandbox: Any, modules: tuple[str, ...], outcome: Outcome | None) -> None:
        self._sandbox, self._modules, self._outcome = sandbox, modules, outcome
        self.last = None
        self.called: Call | None = None

    def call(self, module: str, function: str, *args: Any, **kwargs: Any) -> Any:
        """Run `module.function(*args, **kwargs)` in the worker and return its decoded value.

        `self.called` keeps what the call was given, as it was before the call (a Generator
        advances during it), and what it changed in place: what a diagnosis may look at.
        """
        before = copy.deepcopy((args, kwargs))
        self.called = Call(module, function, *before)
        try:
            self.last = self._sandbox.call(module, function, *args, **kwargs)
        except SubmissionProblem as problem:
            self._record_output(getattr(problem, "output", ""))
            raise
        # Positions become the names of course.toml's signature (never the student's own
        # parameter names: `def update(rng, ...)` must not hide a change to `w`).
        names = argument_names(module, function, tuple(self.last.mutated or ()))
        self.last = replace(self.last, mutated=names)
        self.called = Call(module, function, *before, mutated=names)
        self._record_output(self.last.output)
        return self.last.value

    def _record_output(self, text: str) -> None:
        if text and self._outcome is not None:
            self._outcome.output.append(text)

    def __getattr__(self, module: str) -> _Module:
        if module in self._modules:
            return _Module(self, module)
        raise AttributeError(f"the course has no exercise module {module!r}")


class GraderPlugin:
    """Registered under the name "grader" for one grading run."""

    def __init__(self, sandbox: Any, course: Any) -> None:
        self.sandbox = sandbox
        self.course = course
        self.outcomes: dict[str, Outcome] = {}
        self.unmarked: list[str] = []
        self.collection_errors: list[tuple[str, str]] = []

    # -- configuration and collection --------------------------------------------------------
    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line(
            "markers",
            "grades(function): the function of the test module's exercise this test scores",
        )

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            exercise = item.path.stem.removeprefix("test_")
            marker = item.get_closest_marker("grades")
            if marker is None or not marker.args:
                self.unmarked.append(item.nodeid)
                continue
            doc = (getattr(item.obj, "__doc__", None) or "").strip().splitlines()
            summary = doc[0].strip() if doc else item.name
            param = f" [{item.callspec.id}]" if hasattr(item, "callspec") else ""
            self.outcomes[item.nodeid] = Outcome(
                exercise=exercise, function=str(marker.args[0]), title=summary + param
            )

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append((report.nodeid, str(report.longrepr)))

    # -- fixtures ----------------------------------------------------------------------------
    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> Student:
        """The submission under test, run in the isolated worker."""
        modules = tuple(e.module for e in self.course.exercises)
        return Student(self.sandbox, modules, self.outcomes.get(request.node.nodeid))

    # -- statuses ----------------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        yield
        outcome = self.outcomes.get(item.nodeid)
        if outcome is None or call.excinfo is None or outcome.status is not Status.PASSED:
            return
        error = call.excinfo.value
        if isinstance(error, SubmissionProblem):
            outcome.status = Status(error.status)
            outcome.feedback = with_advice(
                outcome.function, error.student_message(), module=outcome.exercise
            )
        elif isinstance(error, AssertionError):
            outcome.status = Status.FAILED
            outcome.feedback = str(error).strip() or "This check failed."
        else:
            outcome.status = Status.ERROR
            outcome.feedback = GRADER_BUG_FEEDBACK
            outcome.grader_error = "".join(
                traceback.format_exception(type(error), error, error.__traceback__)
            )

    def captured_output(self, nodeid: str) -> str:
        """The output the submission printed during one test, capped with a note.

        The sandbox already keeps at most 64 KiB per call and says how much more there was;
        those notes stay, so that the student learns how much was printed in all."""
        text = "".join(self.outcomes[nodeid].output)
        if len(text) <= OUTPUT_CAP:
            return text
        left_out = text[OUTPUT_CAP:]
        notes = SANDBOX_CUT_NOTE.findall(left_out)
        kept = text[:OUTPUT_CAP] + f"\n[output cut: {len(left_out)} more characters]"
        return kept + "".join(f"\n{note}" for note in notes[:MAX_NOTES])
