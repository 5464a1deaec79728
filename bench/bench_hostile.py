"""Benchmark: every hostile case of tests/cases/hostile/ graded through the real `grade` command.

One case at a time (so that each time is its own), with the case's `--timeout`. Prints a
table: the case, its class, the seconds `grade` took, the score of the exercise the attack is in
(and what its honest code earns there), the score of the other exercises (which must keep full
marks), and whether grading stayed within its budget: the per-call timeout for each affected
function, plus a few seconds (issue 4: "about the per-call timeout plus a few seconds").

    python bench/bench_hostile.py [CASE ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path

from grader.course import load_course

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "hostile_casebook", ROOT / "tests" / "cases" / "hostile" / "casebook.py"
)
casebook = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = casebook
_spec.loader.exec_module(casebook)


def scores(report: dict, case) -> tuple[float | None, float, float, float]:
    """(attacked exercise's score, what it honestly earns, others' score, others' maximum)."""
    course = load_course()
    honest = sum(
        f.points
        for e in course.exercises
        if e.module == case.module
        for f in e.functions
        if f.name not in case.zero
    )
    if "exercises" not in report:  # Gradescope's results.json: only the total
        others_max = sum(e.max_score for e in course.exercises if e.module != case.module)
        attacked = report["score"] - others_max if case.module else None
        return attacked, honest, others_max, others_max
    by_name = {e["name"]: e for e in report["exercises"]}
    attacked = by_name[case.module]["score"] if case.module else None
    others = [e for e in report["exercises"] if e["name"] != case.module]
    return attacked, honest, sum(e["score"] for e in others), sum(e["max_score"] for e in others)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", help="case names (default: all)")
    wanted = set(parser.parse_args().cases)
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    rows, late = [], 0
    for case in casebook.load_cases():
        if wanted and case.id not in wanted:
            continue
        if case.needs_root and not as_root:
            print(f"{case.id}: skipped (needs root)", file=sys.stderr)
            continue
        prepared = casebook.prepare(case)
        try:
            run = casebook.grade(prepared)
            report = json.loads(run.report_bytes) if run.report_bytes else {}
        finally:
            casebook.remove(prepared)
        if run.returncode != 0 or not report:
            rows.append((case, run.seconds, "grade failed", "", False))
            continue
        attacked, honest, others, others_max = scores(report, case)
        within = run.seconds <= case.budget
        late += not within
        shown = "-" if attacked is None else f"{attacked:g} (honest {honest:g})"
        rows.append((case, run.seconds, shown, f"{others:g} / {others_max:g}", within))
    print(
        f"| case | class | seconds | attacked exercise | others | within budget "
        f"(timeout x affected + {casebook.BASE_SECONDS:g} s) |"
    )
    print("| --- | --- | ---: | --- | --- | --- |")
    for case, seconds, attacked, others, within in rows:
        module = f" `{case.module}`" if case.module else ""
        budget = f"{'yes' if within else 'NO'} ({case.budget:g} s)"
        print(
            f"| {case.id} | {case.klass} | {seconds:.1f} | {attacked}{module} | {others} "
            f"| {budget} |"
        )
    total = sum(seconds for _, seconds, *_ in rows)
    print(f"\n{len(rows)} cases, {total:.1f} s in all; {late} over budget.")


if __name__ == "__main__":
    main()
