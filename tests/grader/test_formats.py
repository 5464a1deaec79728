"""Gradescope's results.json and GitHub Classroom's result, rendered from one report."""

from __future__ import annotations

import math

from grader.defaults import GRADESCOPE_VISIBILITY
from grader.formats import FORMATS, gradescope, render
from grader.report import ExerciseResult, Report, Status, TestResult


def test_every_format_renders(small_report):
    for fmt in FORMATS:
        assert isinstance(render(small_report, fmt), dict)


def test_gradescope_gives_one_test_per_function_worth_its_points(small_report):
    results = render(small_report, "gradescope")
    assert results["score"] == 1.5 and results["stdout_visibility"] == "hidden"
    assert [t["name"] for t in results["tests"]] == [
        "batch_gradient.gradients", "batch_gradient.predict", "sgd.sgd"
    ]  # fmt: skip
    assert [t["max_score"] for t in results["tests"]] == [3, 1, 1]
    assert [t["score"] for t in results["tests"]] == [1.5, 0.0, 0.0]
    gradients = results["tests"][0]
    assert gradients["status"] == "failed"
    assert "1 of 2 checks passed" in gradients["output"]
    assert "gradients: fails (failed)\ndw is off." in gradients["output"]
    assert "Your code printed:\nhi" in results["tests"][1]["output"]
    assert {t["visibility"] for t in results["tests"]} == {GRADESCOPE_VISIBILITY}


def test_gradescope_sums_the_shares_of_a_function_back_to_its_whole_points():
    tests = [TestResult(f"check {i}", "sgd", Status.PASSED, 1 / 6, 1 / 6) for i in range(6)]
    assert math.fsum([1 / 6] * 6) == 1.0 and sum([1 / 6] * 6) != 1.0
    report = Report(suite="hidden", suite_digest="", grader_version="0", submission="s",
                    score=1.0, max_score=1.0, started_at="", seconds=0.0,
                    exercises=[ExerciseResult("sgd", "Exercise 2", 1.0, 1.0, tests)])  # fmt: skip
    (row,) = gradescope(report, visibility="hidden")["tests"]
    assert row["max_score"] == 1 and isinstance(row["max_score"], int) and row["score"] == 1
    assert row["visibility"] == "hidden" and row["output"] == "All 6 checks passed."


def test_gradescope_per_check_rows_on_request(small_report):
    results = gradescope(small_report, per_check=True, visibility="after_published")
    assert results["score"] == 1.5
    assert results["stdout_visibility"] == "hidden"
    assert len(results["tests"]) == 4
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
    failed = results["tests"][1]
    assert failed["status"] == "failed" and failed["output"] == "dw is off."
    assert "Your code printed:\nhi" in results["tests"][2]["output"]
    assert sum(t["max_score"] for t in results["tests"]) == small_report.max_score
    assert {t["visibility"] for t in results["tests"]} == {"after_published"}


def test_gradescope_per_check_points_add_up_to_the_whole_exactly():
    tests = [TestResult(f"check {i}", "sgd", Status.PASSED, 1 / 6, 1 / 6) for i in range(6)]
    tests += [TestResult("check 6", "sgd", Status.FAILED, 0.0, 1 / 6)]
    report = Report(suite="hidden", suite_digest="", grader_version="0", submission="s",
                    score=1.0, max_score=7 / 6, started_at="", seconds=0.0,
                    exercises=[ExerciseResult("sgd", "Exercise 2", 1.0, 7 / 6, tests)])  # fmt: skip
    rows = gradescope(report, per_check=True)["tests"]
    total = score = 0.0
    for row in rows:  # added left to right, as a consumer of the JSON would
        total, score = total + row["max_score"], score + row["score"]
    assert (total, score) == (report.max_score, report.score)


def test_classroom_result_has_version_status_and_points(small_report):
    result = render(small_report, "classroom")
    assert result["version"] == 1 and result["status"] == "fail"
    assert result["max_score"] == 5.0
    assert [t["status"] for t in result["tests"]] == ["pass", "fail", "fail", "fail"]
