"""The gradebook of a batch (CSV, one row per submission) and the class summary (Markdown).

Both are rebuilt from the reports on disk, so they always describe every submission of the
class folder, whether it was graded in this run or an earlier, interrupted one.
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

from grader.course import load_course
from grader.report import Report, Status

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
            "note": state.get("note", "").splitlines()[0] if state.get("note") else "",
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
    # A parametrised test counts once per submission, whichever of its cases failed.
    failed = Counter(
        key
        for r in reports
        for key in {
            (e.name, _PARAMS.sub("", t.name))
            for e in r.exercises
            for t in e.tests
            if t.status is not Status.PASSED and not t.grader_error
        }
    )
    lines += ["", "## Tests most often failed", ""]
    if failed:
        lines += ["| test | failed by |", "| --- | --- |"]
        for (exercise, test), n in failed.most_common(MOST_FAILED):
            lines.append(f"| {exercise}.{_md(test)} | {n} ({100 * n / len(reports):.0f} %) |")
    else:
        lines.append("Every test passed for every submission.")
    broken = [r.submission for r in reports if r.grader_errors]
    if broken:
        lines += [
            "",
            f"Grader problems (see `grader_errors` in their reports): {', '.join(broken)}.",
        ]
    return "\n".join(lines) + "\n"


def _in_bucket(fraction: float, bucket: tuple[str, float, float]) -> bool:
    _, low, high = bucket
    if low == high:
        return fraction == low
    return low < fraction < high if low == 0.0 else low <= fraction < high


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
