"""Renderers of a Report: our native JSON, Gradescope's results.json, GitHub Classroom's result.

Each renderer is a pure function `Report -> dict`; `render` picks one by name.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

from grader.report import Report, Status

Format = Literal["native", "gradescope", "classroom"]
FORMATS: tuple[Format, ...] = ("native", "gradescope", "classroom")


def native(report: Report) -> dict[str, Any]:
    """The versioned native report (CONTRACT §4)."""
    return report.as_json()


def gradescope(report: Report) -> dict[str, Any]:
    """Gradescope's `results.json` (their autograder specification).

    Every test is visible with its feedback; the grader's own stdout is hidden from students
    (`stdout_visibility`), so nothing beyond the feedback below reaches them.
    """
    tests = []
    for number, test in enumerate(report.tests, start=1):
        exercise = next(e.name for e in report.exercises if test in e.tests)
        text = test.feedback
        if test.output:
            text += ("\n\n" if text else "") + "Your code printed:\n" + test.output
        tests.append(
            {
                "name": f"{exercise}.{test.name}",
                "number": str(number),
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.status is Status.PASSED else "failed",
                "output": text,
                "tags": [exercise, test.function, test.status.value],
                "visibility": "visible",
            }
        )
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 3),
        "output": _overview(report),
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"suite": report.suite, "suite_digest": report.suite_digest,
                       "grader_version": report.grader_version},
    }  # fmt: skip


def classroom(report: Report) -> dict[str, Any]:
    """The result object that GitHub Classroom's autograding reporter reads (version 1)."""
    tests = [
        {
            "name": test.name,
            "status": "pass" if test.status is Status.PASSED else "fail",
            "message": test.feedback,
            "line_no": 0,
            "execution_time": f"{test.seconds:.3f}s",
            "score": test.score,
        }
        for test in report.tests
    ]
    status = "pass" if report.score >= report.max_score else "fail"
    return {"version": 1, "status": status, "max_score": report.max_score, "tests": tests}


def _overview(report: Report) -> str:
    lines = [f"{e.name}: {e.score:g} / {e.max_score:g}" for e in report.exercises]
    lines.append(f"Total: {report.score:g} / {report.max_score:g}")
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[Report], dict[str, Any]]] = {
    "native": native,
    "gradescope": gradescope,
    "classroom": classroom,
}


def render(report: Report, fmt: Format) -> dict[str, Any]:
    """The report as the JSON document of format `fmt`."""
    return RENDERERS[fmt](report)
