"""The runner decides statuses itself: a check that fails, the student's error, a grader bug,
and a suite that cannot even be collected each end up as what they are, with points intact."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.report import Status
from grader.runner import run_suite
from grader.sandbox.client import Sandbox

ROOT = Path(__file__).resolve().parents[2]


def write_suite(folder: Path, test_sgd: str) -> Path:
    folder.mkdir()
    (folder / "test_sgd.py").write_text(textwrap.dedent(test_sgd))
    return folder


@pytest.fixture
def graded(tmp_path):
    def grade(test_sgd: str):
        suite = write_suite(tmp_path / "suite", test_sgd)
        with Sandbox(ROOT / "solutions", timeout=5) as sandbox:
            return run_suite(sandbox, tests_dir=suite, suite="public", name="solutions")

    return grade


def sgd_tests(report):
    return {t.name: t for t in next(e for e in report.exercises if e.name == "sgd").tests}


def test_each_way_a_test_can_end_has_its_own_status(graded):
    report = graded(
        """
        import pytest

        @pytest.mark.grades("sgd_step")
        def test_passes(student):
            '''passes'''
            student.sgd.sgd_step([1.0, 2.0], 3.0, [[1.0], [1.0]], 0.0, 0.1)

        @pytest.mark.grades("sgd_step")
        def test_a_failed_check(student):
            '''a failed check'''
            raise AssertionError("sgd_step: w is off. Check the sign of the update.")

        @pytest.mark.grades("sgd_step")
        def test_the_students_error(student):
            '''the student's error'''
            student.sgd.sgd_step("not", "numbers", None, None, None)

        @pytest.mark.grades("sgd")
        def test_a_grader_bug(student):
            '''a grader bug'''
            {}["missing"]

        def test_without_a_marker(student):
            '''unmarked'''
        """
    )
    tests = sgd_tests(report)
    assert tests["sgd_step: passes"].status is Status.PASSED
    failed = tests["sgd_step: a failed check"]
    assert failed.status is Status.FAILED and failed.feedback.startswith("sgd_step: w is off.")
    error = tests["sgd_step: the student's error"]
    assert error.status is Status.ERROR and not error.grader_error and "sgd_step" in error.feedback
    bug = tests["sgd: a grader bug"]
    assert bug.status is Status.ERROR and bug.grader_error and "not your fault" in bug.feedback
    assert any("KeyError" in e for e in report.grader_errors)
    assert any("without a grades(...) marker" in e for e in report.grader_errors)
    # sgd_step's 2 points are shared by its three tests; one passed.
    assert tests["sgd_step: passes"].score == pytest.approx(2 / 3, abs=1e-6)


def test_a_suite_that_cannot_be_collected_still_gives_a_complete_report(graded):
    report = graded("def test_broken(:\n")
    assert [e.name for e in report.exercises] == ["batch_gradient", "sgd", "logistic_regression"]
    assert report.score == 0 and report.max_score == 25
    for exercise in report.exercises:
        functions = {t.function for t in exercise.tests}
        assert len(functions) == len(exercise.tests) > 0
        assert all(t.status is Status.ERROR and t.grader_error for t in exercise.tests)
    assert any("could not collect" in e for e in report.grader_errors)
