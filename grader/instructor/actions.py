"""GitHub Actions glue for the workflow template: job summary, Classroom points, the artifact.

After `grade ... --suite hidden -o "$RUNNER_TEMP/report.json"`, the workflow runs (with sudo,
like `grade`: an installed grader may be readable by root only once it has graded)

    python -I -m grader.instructor.actions "$RUNNER_TEMP/report.json" \\
        --summary "$GITHUB_STEP_SUMMARY" --github-output "$GITHUB_OUTPUT" \\
        --artifact "$RUNNER_TEMP/score-report/report.json"

which appends a Markdown table to the job summary, sets the step output `result` to the
`--format classroom` result base64-encoded (what GitHub Classroom's grading reporter reads from
`<RUNNER>_RESULTS`), and writes the report to upload, readable by the runner's user, with the
grader's own error details cut to their first line (they may quote the hidden suite; the student
can download the artifact). Without a readable report it still answers: the summary says grading
did not finish, and the Classroom result is an error worth zero.
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

from grader.course import load_course
from grader.formats import render
from grader.report import Report, Status, write_json_atomically


def load(path: Path) -> Report | None:
    """The report at `path`, or None when grading left none (or a damaged one)."""
    try:
        return Report.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def job_summary(report: Report | None) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: the score per exercise, then what to look at."""
    if report is None:
        return (
            "## Autograding did not finish\n\nNo score report was written: see the log of the "
            "grading step. This is a problem of the grader, not of your code.\n"
        )
    lines = [
        f"## Score: {report.score:g} / {report.max_score:g} ({report.percent:.0f} %)",
        "",
        "| exercise | score | tests passed |",
        "| --- | --- | --- |",
    ]
    for e in report.exercises:
        passed = sum(t.status is Status.PASSED for t in e.tests)
        lines.append(f"| {e.name} | {e.score:g} / {e.max_score:g} | {passed} / {len(e.tests)} |")
    failing = {}
    for e in report.exercises:
        for t in e.tests:
            if t.status is not Status.PASSED:
                failing.setdefault((e.name, t.function), (t, 0))
                first, count = failing[(e.name, t.function)]
                failing[(e.name, t.function)] = (first, count + 1)
    if failing:
        lines += ["", "### What to look at", ""]
        for (exercise, function), (test, count) in failing.items():
            more = f" (and {count - 1} more)" if count > 1 else ""
            feedback = (test.feedback.splitlines() or [""])[0]
            lines.append(f"- **{exercise}.{function}**{more}: {_md(feedback)}")
    notes = [e.notebook["note"] for e in report.exercises if e.notebook]
    if notes:
        lines += ["", "### Notebooks", "", *(f"- {_md(note)}" for note in notes)]
    lines += ["", f"Graded with the {report.suite} suite, grader {report.grader_version}."]
    return "\n".join(lines) + "\n"


def classroom_result(report: Report | None) -> dict:
    """The `--format classroom` result; without a report, an error worth zero."""
    if report is not None:
        return render(report, "classroom")
    message = "Grading did not finish: see the log of the grading step."
    test = {"name": "autograding", "status": "error", "message": message, "line_no": 0,
            "execution_time": "0ms", "score": 0}  # fmt: skip
    return {"version": 1, "status": "error", "max_score": load_course().max_score, "tests": [test]}


def for_students(report: Report) -> dict:
    """The native report, with each grader error cut to its first line."""
    document = report.as_json()
    document["grader_errors"] = [e.splitlines()[0] if e else e for e in report.grader_errors]
    return document


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--summary", type=Path, help="append the Markdown table here")
    parser.add_argument("--github-output", type=Path, help="append `result=<base64>` here")
    parser.add_argument("--artifact", type=Path, help="write the report to upload here")
    args = parser.parse_args(argv)
    report = load(args.report)
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as f:
            f.write(job_summary(report))
    if args.github_output:
        encoded = base64.b64encode(json.dumps(classroom_result(report)).encode()).decode()
        with args.github_output.open("a", encoding="utf-8") as f:
            f.write(f"result={encoded}\n")
    if args.artifact and report is not None:
        write_json_atomically(args.artifact, for_students(report))
        args.artifact.chmod(0o644)


if __name__ == "__main__":
    main()
