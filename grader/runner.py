"""Grade one submission: run a suite with pytest in-process and turn the results into a Report.

This is the trusted side. It imports pytest, the suites and (in the hidden suite) the reference
solutions; the submission itself only ever runs inside the sandbox's worker process. pytest is
imported only once the sandbox exists, so that the worker starts while pytest loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import grader
from grader import defaults, notebooks
from grader.course import COURSE_FILE, Course, load_course
from grader.feedback.diagnoses import point_at_helpers
from grader.report import ExerciseResult, Report, Status, TestResult
from grader.sandbox.client import Sandbox

if TYPE_CHECKING:
    from grader.plugin import GraderPlugin

Suite = Literal["public", "hidden"]
SUITES: tuple[Suite, ...] = ("public", "hidden")
SUITES_ROOT = Path(__file__).with_name("suites")
#: Environment variables through which a user's setup could change how pytest runs our suites.
_PYTEST_ENV = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")


class SuiteUnavailable(Exception):
    """The requested suite is not part of this installation (e.g. hidden, in a student handout)."""


def suite_dir(suite: Suite) -> Path:
    """The folder of a suite; `SuiteUnavailable` when this copy of the grader does not have it."""
    path = SUITES_ROOT / suite
    if not (path / "__init__.py").is_file():
        if suite == "hidden":
            raise SuiteUnavailable(
                "The hidden suite is not part of this copy of the grader (the student handout "
                "ships only the public suite). Run `grade` with `--suite public`."
            )
        raise SuiteUnavailable(f"The {suite} suite is missing from {SUITES_ROOT}.")
    return path


def suite_digest(suite: Suite) -> str:
    """SHA-256 over the suite's Python files, the shared suite files and the course metadata."""
    files = sorted(suite_dir(suite).rglob("*.py")) + sorted(SUITES_ROOT.glob("*.py"))
    files += [SUITES_ROOT / "pytest.ini", COURSE_FILE]
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(SUITES_ROOT.parent).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def grade_submission(
    submission: Path,
    *,
    suite: Suite = defaults.SUITE,
    timeout: float = defaults.TIMEOUT,
    memory_mb: int = defaults.MEMORY_MB,
    user: str | int | None = defaults.WORKER_USER,
    fork_server: Any = False,
    only: tuple[str, ...] = (),
    early: Callable[[Report], None] | None = None,
    checkpoint: Callable[[ExerciseResult, dict], None] | None = None,
) -> Report:
    """Grade the submission folder against `suite` and return the report.

    `only` names exercise modules to grade, leaving the others out of the report (`grade
    watch` re-grades what a save changed); empty: all of them. `fork_server` is the Sandbox's
    (False, True, or a `Zygote` that stays warm). `early(report)`, if given, gets the finished
    report before the workers are ended and the private copy removed (`grade watch` draws its
    view then: the clean-up is not part of what a student waits for). `checkpoint`, if given,
    gets each exercise's result as soon as its last test has finished, with the sandbox's
    `confinement` as known then (`grade batch` keeps them if it stops the grading).

    Whatever the submission does, this returns a complete report: what the submission broke
    scores zero with a message, and everything else is graded normally. The report is built
    only once the worker and everything it started are gone. `user` is who the worker runs as
    when the grader is root (`grade batch` gives each of its processes a uid of its own).
    """
    tests_dir = suite_dir(suite)
    modules = tuple(e.module for e in load_course().exercises)
    found_notebooks = notebooks.read_folder(Path(submission))  # before any submission code runs
    with Sandbox(
        Path(submission),
        timeout=timeout,
        memory_mb=memory_mb,
        user=user,
        modules=modules,
        fork_server=fork_server,
    ) as sandbox:
        report = run_suite(
            sandbox,
            tests_dir=tests_dir,
            suite=suite,
            name=Path(submission).resolve().name,
            only=only,
            checkpoint=checkpoint,
        )
        notebooks.annotate(report, found_notebooks)
        if early is not None:
            early(report)
    return report


def run_suite(
    sandbox: Any,
    *,
    tests_dir: Path,
    suite: Suite,
    name: str,
    only: tuple[str, ...] = (),
    checkpoint: Callable[[ExerciseResult, dict], None] | None = None,
) -> Report:
    """Run the suite in `tests_dir` against whatever `sandbox.call` runs, and build the report.

    `grade_submission` passes the isolating Sandbox; the benchmark passes an in-process caller
    to measure what isolation costs.
    """
    from pytest_jsonreport.plugin import JSONReport

    from grader.plugin import GraderPlugin

    course = load_course()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    clock = time.perf_counter()
    plugin = GraderPlugin(sandbox, course)
    json_report = JSONReport()
    targets = [tests_dir / f"test_{module}.py" for module in only] or [tests_dir]
    plugins: list[object] = [plugin, json_report]
    if checkpoint is not None:
        plugins.append(_Checkpoints(course, plugin, checkpoint, sandbox))
    run_pytest(targets, plugins)
    score, exercises, grader_errors, note = _build_report(
        course, plugin, json_report.report or {}, only=only
    )
    return Report(
        suite=suite,
        suite_digest=suite_digest(suite),
        grader_version=grader.__version__,
        submission=name,
        score=score,
        max_score=course.max_score,
        exercises=exercises,
        started_at=started_at,
        seconds=round(time.perf_counter() - clock, 3),
        grader_errors=grader_errors,
        output_note=note,
        **({"confinement": sandbox.confinement} if hasattr(sandbox, "confinement") else {}),
    )


def run_pytest(tests_dir: Path | list[Path], plugins: list[object], *extra: str) -> None:
    """Run pytest on `tests_dir` (or those test files) with only our configuration and plugins;
    its console is muted."""
    import pytest

    paths = tests_dir if isinstance(tests_dir, list) else [tests_dir]
    args = [
        *(str(path) for path in paths),
        "-c", str(SUITES_ROOT / "pytest.ini"),
        "--rootdir", str(SUITES_ROOT),
        "--confcutdir", str(SUITES_ROOT),
        "-p", "no:cacheprovider",
        "-p", "no:stepwise",
        "-s", "-p", "no:logging", "-p", "no:warnings", "-p", "no:junitxml", "-p", "no:doctest",
        "-p", "no:pastebin", "-p", "no:faulthandler", "-p", "no:debugging", "-p", "no:setuponly",
        "-p", "no:setupplan", "-p", "no:unittest", "-p", "no:unraisableexception",
        "-p", "no:threadexception", "-p", "no:tmpdir", "-p", "no:monkeypatch",
        "-p", "no:recwarn", "-p", "no:subtests",
        "-p", "pytest_jsonreport.plugin",
        "--json-report-file=none",
        "--json-report-omit", "log", "streams", "keywords", "warnings",
        "--import-mode=importlib",
        "--tb=no",
        "-q",
        *extra,
    ]  # fmt: skip
    saved = {name: os.environ.pop(name, None) for name in _PYTEST_ENV}
    # Only the plugins we name: a user's installed pytest plugins never see the suites.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            pytest.main(args, plugins=plugins)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class _Checkpoints:
    """A pytest plugin handing over each exercise's result once its last test has finished, so
    that a grading stopped later (`grade batch --wall-limit`) keeps what was already graded."""

    def __init__(
        self,
        course: Course,
        plugin: GraderPlugin,
        handover: Callable[[ExerciseResult, dict], None],
        sandbox: Any,
    ) -> None:
        self.course, self.plugin, self.handover = course, plugin, handover
        self.sandbox = sandbox
        self.finished: set[str] = set()
        self.handed: set[str] = set()

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.finished.add(nodeid)
        for exercise in self.course.exercises:
            mine = [n for n, o in self.plugin.outcomes.items() if o.exercise == exercise.module]
            if exercise.module in self.handed or not mine or not self.finished.issuperset(mine):
                continue
            self.handed.add(exercise.module)
            # Only this exercise's outcomes are read, every one of them finished.
            ran = {"tests": [{"nodeid": n} for n in mine]}
            _, (result,), _, _ = _build_report(
                self.course, self.plugin, ran, only=(exercise.module,)
            )
            self.handover(result, getattr(self.sandbox, "confinement", None) or {})


def _build_report(
    course: Course, plugin: GraderPlugin, json_report: dict, *, only: tuple[str, ...] = ()
) -> tuple[float, list[ExerciseResult], list[str], str]:
    durations = {
        t["nodeid"]: sum(
            t.get(stage, {}).get("duration", 0.0) for stage in ("setup", "call", "teardown")
        )
        for t in json_report.get("tests", [])
    }
    ran = set(durations)
    grader_errors = [f"test without a grades(...) marker: {nodeid}" for nodeid in plugin.unmarked]
    grader_errors += [
        f"could not collect {nodeid}:\n{text}" for nodeid, text in plugin.collection_errors
    ]
    exercises: list[ExerciseResult] = []
    output_cut = False
    for exercise in course.exercises:
        if only and exercise.module not in only:
            continue
        tests: list[TestResult] = []
        for function in exercise.functions:
            mine = [
                (nodeid, o)
                for nodeid, o in plugin.outcomes.items()
                if o.exercise == exercise.module and o.function == function.name
            ]
            if not mine:
                # No test of this function ran (a suite that failed to collect): say so, score 0.
                grader_errors.append(f"no test graded {exercise.module}.{function.name}")
                tests.append(
                    TestResult(
                        name=f"{function.name}: could not be graded",
                        function=function.name,
                        status=Status.ERROR,
                        score=0.0,
                        max_score=function.points,
                        feedback="The grader could not run the tests of this function. "
                        "Please tell your instructor; it is not your fault.",
                        grader_error=True,
                    )
                )
                continue
            for (nodeid, outcome), share in zip(
                mine, _split(function.points, len(mine)), strict=True
            ):
                if nodeid not in ran and outcome.status is Status.PASSED:
                    outcome.status, outcome.feedback = Status.ERROR, "This test did not run."
                    outcome.grader_error = outcome.grader_error or "not run"
                output = plugin.captured_output(nodeid)
                output_cut = output_cut or "[output cut:" in output
                if outcome.grader_error:
                    grader_errors.append(f"{nodeid}: {outcome.grader_error}")
                tests.append(
                    TestResult(
                        name=_test_name(function.name, outcome.title),
                        function=function.name,
                        status=outcome.status,
                        score=share if outcome.status is Status.PASSED else 0.0,
                        max_score=share,
                        feedback=outcome.feedback,
                        seconds=round(durations.get(nodeid, 0.0), 4),
                        output=output,
                        grader_error=bool(outcome.grader_error),
                    )
                )
        score = _round(sum(t.score for t in tests))
        exercises.append(
            ExerciseResult(
                name=exercise.module,
                title=exercise.title,
                score=score,
                max_score=exercise.max_score,
                tests=[_rounded(t) for t in tests],
            )
        )
    note = "Some output was cut: each test keeps its first 4 KiB." if output_cut else ""
    point_at_helpers(course, exercises)
    return _round(sum(e.score for e in exercises)), exercises, grader_errors, note


def _test_name(function: str, title: str) -> str:
    """ "gradients: <what the test checks>", without repeating the function's name."""
    return title if title.startswith(function) else f"{function}: {title}"


def _split(points: float, n: int) -> list[float]:
    """`points` shared by `n` tests in micro-points, so that the shares add up to `points` exactly
    to the sixth decimal (1/3 + 1/3 + 1/3 is 0.333334 + 0.333333 + 0.333333, not 0.999999)."""
    base, extra = divmod(round(points * 1_000_000), n)
    return [(base + (i < extra)) / 1_000_000 for i in range(n)]


def _round(x: float) -> float:
    return round(x + 0.0, 6)


def _rounded(test: TestResult) -> TestResult:
    test.score, test.max_score = _round(test.score), _round(test.max_score)
    return test
