"""Renderers of a Report: our native JSON, Gradescope's results.json, GitHub Classroom's result.

Each renderer is a pure function `Report -> dict`; `render` picks one by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from grader.report import Report, Status, points

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
    pairs = [(e.name, t) for e in report.exercises for t in e.tests]
    for number, (exercise, test) in enumerate(pairs, start=1):
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
    """The result of one runner, as GitHub Classroom's autograding grading reporter reads it.

    The workflow passes it base64-encoded in `<RUNNER>_RESULTS` (see grader.instructor.actions).
    The reporter sends Classroom `Points <sum of the tests' score>/<max_score>`, adding the
    scores left to right in doubles, so they are nudged to add up to the report's total
    exactly (0.333333 three times is not 1). Its console table, though, counts passed tests
    (`passed / tests * max_score`), which differs when tests weigh differently; the job
    summary shows the real per-exercise scores. `line_no` is 0: the reporter prints
    "- line N" for anything else. `status` "fail" below full marks and "error" when the
    grader itself failed both make the reporter's step fail, as Classroom's own runners do.
    """
    tests, scores = [], []
    for exercise in report.exercises:
        for test in exercise.tests:
            tests.append({
                "name": f"{exercise.name}.{test.name}",
                "status": "pass" if test.status is Status.PASSED else "fail",
                "message": test.feedback,
                "line_no": 0,
                "execution_time": f"{round(test.seconds * 1000)}ms",
            })  # fmt: skip
            scores.append(test.score)
    for test, score in zip(tests, _adding_up_to(scores, report.score), strict=True):
        test["score"] = score
    if report.grader_errors:
        status = "error"
    else:
        status = "pass" if report.score >= report.max_score else "fail"
    return {"version": 1, "status": status, "max_score": report.max_score, "tests": tests}


def _adding_up_to(scores: list[float], total: float) -> list[float]:
    """`scores`, the last non-zero one nudged so that `0 + s1 + s2 + ...` in doubles is `total`."""
    scores = list(scores)
    last = max((i for i, s in enumerate(scores) if s), default=None)
    if last is None:
        return scores
    partial = 0.0
    for score in scores[:last]:
        partial += score
    candidate = total - partial
    for _ in range(16):  # each step moves the sum by at most one unit in the last place
        if partial + candidate == total:
            break
        candidate = math.nextafter(
            candidate, math.inf if partial + candidate < total else -math.inf
        )
    scores[last] = candidate
    return scores


def _overview(report: Report) -> str:
    lines = [f"{e.name}: {points(e.score)} / {points(e.max_score)}" for e in report.exercises]
    lines.append(f"Total: {points(report.score)} / {points(report.max_score)}")
    lines += [f"\n{e.notebook['note']}" for e in report.exercises if e.notebook]
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[Report], dict[str, Any]]] = {
    "native": native,
    "gradescope": gradescope,
    "classroom": classroom,
}


def render(report: Report, fmt: Format) -> dict[str, Any]:
    """The report as the JSON document of format `fmt`."""
    return RENDERERS[fmt](report)
