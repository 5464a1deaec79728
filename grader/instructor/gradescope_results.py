"""Gradescope glue for `run_autograder`: the native report as results.json, as the bundle chose.

After `grade ... --suite hidden -o report.json`, the bundle's `run_autograder` runs

    python -I -m grader.instructor.gradescope_results report.json -o results.json \\
        --visibility after_due_date [--per-check]

with the visibility and granularity `grade gradescope` was given. Without a readable report it
still writes a results.json: score zero, and a message saying the grader, not the student, failed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.formats import VISIBILITIES, gradescope
from grader.instructor.actions import load
from grader.report import write_json_atomically

NOT_GRADED = (
    "The autograder could not grade this submission, and it is not your fault. Your instructor "
    "can see what went wrong; please tell them."
)


def results(report_path: Path, *, visibility: str, per_check: bool) -> dict:
    """The results.json document for the report at `report_path` (or for its absence)."""
    report = load(report_path)
    if report is None:
        return {"score": 0.0, "stdout_visibility": "hidden", "tests": [], "output": NOT_GRADED}
    return gradescope(report, visibility=visibility, per_check=per_check)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--visibility", choices=VISIBILITIES, required=True)
    parser.add_argument("--per-check", action="store_true")
    args = parser.parse_args(argv)
    document = results(args.report, visibility=args.visibility, per_check=args.per_check)
    write_json_atomically(args.output, document)


if __name__ == "__main__":
    main()
