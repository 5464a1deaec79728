"""Renderers of a Report: our native JSON, Gradescope's results.json, GitHub Classroom's result.

Each renderer is a pure function `Report -> dict`; `render` picks one by name.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from grader.defaults import GRADESCOPE_VISIBILITY
from grader.report import Report, Status, TestResult, points
from grader.text import visible

Format = Literal["native", "gradescope", "classroom"]
FORMATS: tuple[Format, ...] = ("native", "gradescope", "classroom")
#: Gradescope's visibilities of a test: always, never, after the (late) due date, or once the
#: instructor publishes the grades.
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
VISIBILITIES: tuple[Visibility, ...] = ("visible", "hidden", "after_due_date", "after_published")


def native(report: Report) -> dict[str, Any]:
    """The versioned native report (CONTRACT §4)."""
    return report.as_json()


def gradescope(
    report: Report, *, visibility: Visibility = GRADESCOPE_VISIBILITY, per_check: bool = False
) -> dict[str, Any]:
    """Gradescope's `results.json` (their autograder specification).

    One Gradescope test per function of the course, worth that function's whole points, its
    output listing the checks that failed with their feedback; `per_check` gives one row per
    check instead (fractions of the function's points). `visibility` is every row's: whether
    and when students see them (see docs/instructors.md); the overview in `output` and the
    score are Gradescope's to show. The grader's own stdout is hidden from students
    (`stdout_visibility`), so nothing beyond the feedback below reaches them.
    """
    rows = _check_rows(report) if per_check else _function_rows(report)
    for number, row in enumerate(rows, start=1):
        row.setdefault("number", str(number))
        row["visibility"] = visibility
        # Names and feedback quote the submission: shown as text, never acting on a viewer.
        row["name"], row["output"] = visible(row["name"]), visible(row.get("output", ""))
    return {
        "score": report.score,
        "execution_time": round(report.seconds, 3),
        "output": _overview(report),
        "stdout_visibility": "hidden",
        "tests": rows,
        "extra_data": {"suite": report.suite, "suite_digest": report.suite_digest,
                       "grader_version": report.grader_version},
    }  # fmt: skip


def _function_rows(report: Report) -> list[dict[str, Any]]:
    rows = []
    for e_number, exercise in enumerate(report.exercises, start=1):
        functions = dict.fromkeys(t.function for t in exercise.tests)
        for f_number, function in enumerate(functions, start=1):
            tests = [t for t in exercise.tests if t.function == function]
            failing = [t for t in tests if t.status is not Status.PASSED]
            points = _whole(math.fsum(t.max_score for t in tests))
            score = points if not failing else min(points, round(sum(t.score for t in tests), 4))
            if failing:
                passed = len(tests) - len(failing)
                lines = [f"{passed} of {len(tests)} checks passed. What did not:"]
                lines += [f"\n- {t.name} ({t.status.value})\n{_feedback(t)}" for t in failing]
                text = "\n".join(lines)
            else:
                text = f"All {len(tests)} checks passed."
            rows.append({
                "name": f"{exercise.name}.{function}",
                "number": f"{e_number}.{f_number}",
                "score": score,
                "max_score": points,
                "status": "failed" if failing else "passed",
                "output": text,
                "tags": [exercise.name, function],
            })  # fmt: skip
    return rows


def _check_rows(report: Report) -> list[dict[str, Any]]:
    """One row per check, its points and score nudged so that they add up to the report's."""
    rows = [
        {
            "name": f"{exercise.name}.{test.name}",
            "score": test.score,
            "max_score": test.max_score,
            "status": "passed" if test.status is Status.PASSED else "failed",
            "output": _feedback(test),
            "tags": [exercise.name, test.function, test.status.value],
        }
        for exercise in report.exercises
        for test in exercise.tests
    ]
    for key, total in (("max_score", report.max_score), ("score", report.score)):
        for row, value in zip(rows, _adding_up_to([r[key] for r in rows], total), strict=True):
            row[key] = value
    return rows


def _feedback(test: TestResult) -> str:
    text = test.feedback
    if test.output:
        text += ("\n\n" if text else "") + "Your code printed:\n" + test.output
    return text


def _whole(points: float) -> float | int:
    """A function's points as course.toml gives them: its checks' shares add up to them only
    to the last few bits (1/6 six times), and Gradescope shows what it is given."""
    rounded = round(points, 6)
    return int(rounded) if rounded.is_integer() else rounded


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
                "name": visible(f"{exercise.name}.{test.name}"),
                "status": "pass" if test.status is Status.PASSED else "fail",
                "message": visible(test.feedback),
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
