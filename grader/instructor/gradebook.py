"""The gradebook of a batch (CSV, one row per submission) and the class summary (Markdown).

Both are rebuilt from the reports on disk, so they always describe every submission of the
class folder, whether it was graded in this run or an earlier, interrupted one. Ids are folder
names a student may have chosen, and notes quote what a submission did: both go through
`grader.text.visible` (a name that is not UTF-8 is written as its escapes, never a crash).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from grader.causes import Cause, broken_note, causes
from grader.course import load_course
from grader.report import Report, Status
from grader.text import visible

#: Buckets of the per-exercise distribution, as fractions of the exercise's points.
BUCKETS = (("0", 0.0, 0.0), ("1-49%", 0.0, 0.5), ("50-99%", 0.5, 1.0), ("100%", 1.0, 1.0))
MOST_FAILED = 10
_PARAMS = re.compile(r" \[[^\]]*\]$")
#: Spreadsheets run a cell that starts with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def write_gradebook(
    output: Path, ids: list[str], *, suite: str
) -> tuple[Path, Path, str, list[dict[str, Any]]]:
    """Write OUTDIR/gradebook.csv and OUTDIR/summary.md for the submissions `ids`.

    Returns both paths, the summary's text and the gradebook's rows.
    """
    course = load_course()
    modules = [e.module for e in course.exercises]
    rows, reports = [], []
    for submission_id in ids:
        report, state = _load(output, submission_id)
        if report is not None:
            reports.append(report)
        scores = {e.name: e.score for e in report.exercises} if report else {}
        rows.append({
            "id": submission_id,
            "total": report.score if report else "",
            "max_score": course.max_score,
            **{m: scores.get(m, "") for m in modules},
            "status": state.get("status", "missing" if report is None else "graded"),
            "suite": report.suite if report else suite,
            "note": _note(state, report),
        })  # fmt: skip
    gradebook = output / "gradebook.csv"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    _write_text(gradebook, text.getvalue())
    summary = output / "summary.md"
    markdown = class_summary(reports, rows, suite=suite)
    _write_text(summary, markdown)
    return gradebook, summary, markdown, rows


def _note(state: dict, report: Report | None) -> str:
    """The first line of what the batch noted, else which modules could not run and why."""
    if state.get("note"):
        return str(state["note"]).split("\n", 1)[0]
    return broken_note(report) if report else ""


def _load(output: Path, submission_id: str) -> tuple[Report | None, dict]:
    try:
        state = json.loads(
            (output / ".batch" / f"{submission_id}.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        state = {}
    try:
        data = json.loads(
            (output / "reports" / f"{submission_id}.json").read_text(encoding="utf-8")
        )
        return Report.from_json(data), state
    except (OSError, ValueError, KeyError, TypeError):
        return None, state


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text and never runs (ids are student-made)."""
    if isinstance(value, str):
        value = visible(value)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    if isinstance(value, float):
        return f"{value:g}"
    return value


def _write_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def class_summary(reports: list[Report], rows: list[dict[str, Any]], *, suite: str) -> str:
    """The class at a glance: totals, each exercise's distribution, the tests most often failed."""
    course = load_course()
    statuses = Counter(row["status"] for row in rows)
    lines = [
        f"# Class summary ({suite} suite)",
        "",
        f"{len(rows)} submissions: "
        + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        + ".",
        "",
    ]
    if not reports:
        return "\n".join(lines + ["No report to summarise.", ""])
    totals = [r.score for r in reports]
    lines += [
        f"Total: mean {statistics.fmean(totals):.2f} / {course.max_score:g} "
        f"({100 * statistics.fmean(totals) / course.max_score:.0f} %), "
        f"median {statistics.median(totals):g}, "
        f"full marks {sum(t == course.max_score for t in totals)}, zero {totals.count(0)}.",
        "",
        "## Exercises",
        "",
        "| exercise | mean | " + " | ".join(b[0] for b in BUCKETS) + " |",
        "| --- | --- | " + " | ".join("---" for _ in BUCKETS) + " |",
    ]
    for exercise in course.exercises:
        scores = [e.score for r in reports for e in r.exercises if e.name == exercise.module]
        counts = [sum(_in_bucket(s / exercise.max_score, b) for s in scores) for b in BUCKETS]
        mean = statistics.fmean(scores) if scores else 0.0
        lines.append(
            f"| {exercise.module} | {mean:.2f} / {exercise.max_score:g} | "
            + " | ".join(str(c) for c in counts)
            + " |"
        )
    lines += ["", "## Tests most often failed", ""] + _most_failed(reports)
    broken = [r.submission for r in reports if r.grader_errors]
    if broken:
        lines += [
            "",
            f"Grader problems (see `grader_errors` in their reports): "
            f"{', '.join(_md(b) for b in broken)}.",
        ]
    return "\n".join(lines) + "\n"


def _most_failed(reports: list[Report]) -> list[str]:
    """Failures by cause first (an untouched stub fails every test of its function: one row),
    then the tests that failed on their own, most often first."""
    by_cause: Counter = Counter()
    by_test: Counter = Counter()
    for report in reports:
        known = causes(report)
        by_cause.update({(cause.value, exercise) for (exercise, _), cause in known.items()})
        # A parametrised test counts once per submission, whichever of its cases failed.
        by_test.update({
            (e.name, _PARAMS.sub("", t.name))
            for e in report.exercises
            for t in e.tests
            if t.status is not Status.PASSED and not t.grader_error
            and (e.name, t.function) not in known
        })  # fmt: skip
    if not by_cause and not by_test:
        return ["Every test passed for every submission."]

    def share(n: int) -> str:
        return f"{n} ({100 * n / len(reports):.0f} %)"

    lines = []
    if by_cause:
        lines += ["| cause | exercise | submissions |", "| --- | --- | --- |"]
        order = {c.value: i for i, c in enumerate(Cause)}
        for (cause, exercise), n in sorted(by_cause.items(), key=lambda x: (order[x[0][0]], -x[1])):
            lines.append(f"| {cause} | {exercise} | {share(n)} |")
        lines.append("")
    if by_test:
        lines += ["| test (failed on its own) | failed by |", "| --- | --- |"]
        for (exercise, test), n in by_test.most_common(MOST_FAILED):
            lines.append(f"| {exercise}.{_md(test)} | {share(n)} |")
    return lines


def _in_bucket(fraction: float, bucket: tuple[str, float, float]) -> bool:
    _, low, high = bucket
    if low == high:
        return fraction == low
    return low < fraction < high if low == 0.0 else low <= fraction < high


def _md(text: str) -> str:
    """Text for a Markdown table cell or line: visible, on one line, markup shown as text."""
    text = visible(text).replace("\n", " ")
    for char in "\\`[]<>|":
        text = text.replace(char, "\\" + char)
    return text
