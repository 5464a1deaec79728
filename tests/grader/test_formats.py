"""Gradescope's results.json and GitHub Classroom's result, rendered from one report."""

from __future__ import annotations

from grader.formats import FORMATS, render


def test_every_format_renders(small_report):
    for fmt in FORMATS:
        assert isinstance(render(small_report, fmt), dict)


def test_gradescope_results_follow_their_specification(small_report):
    results = render(small_report, "gradescope")
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


def test_classroom_result_has_version_status_and_points(small_report):
    result = render(small_report, "classroom")
    assert result["version"] == 1 and result["status"] == "fail"
    assert result["max_score"] == 5.0
    assert [t["status"] for t in result["tests"]] == ["pass", "fail", "fail", "fail"]
