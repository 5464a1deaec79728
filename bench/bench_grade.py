"""Benchmark: a full hidden-suite grade of the reference solutions, isolated vs. not.

Prints the median wall time of `grade_submission(solutions, suite="hidden")` (worker process,
sandbox, channel, pytest, report) against the floor: the same suite and the same plugin, run
in-process with the reference called directly (no worker, no isolation). Also times the whole
`grade` command in a subprocess, as a student or CI sees it.

Targets (issue 3): median <= 0.6 s, and <= 2x the unisolated floor.

    python bench/bench_grade.py [--runs 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from grader.instructor.rehearsal import ReferenceCaller
from grader.runner import grade_submission, run_suite, suite_dir
from grader.suites.hidden import answers

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"


def median_seconds(job, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        answers.forget()  # a single `grade` starts with no answer of the reference remembered
        result = job()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs

    hidden = suite_dir("hidden")
    # Warm-up: import the suites and NumPy once, as the CLI does before grading.
    reference = ReferenceCaller.installed()
    run_suite(reference, tests_dir=hidden, suite="hidden", name="solutions")
    floor, floor_report = median_seconds(
        lambda: run_suite(reference, tests_dir=hidden, suite="hidden", name="solutions"), runs
    )
    isolated, report = median_seconds(lambda: grade_submission(SOLUTIONS, suite="hidden"), runs)
    command, _ = median_seconds(
        lambda: subprocess.run(
            [str(Path(sys.executable).with_name("grade")), str(SOLUTIONS), "--suite", "hidden"],
            check=True, capture_output=True,
        ),
        max(3, runs // 2),
    )  # fmt: skip
    tests = len(report.tests)
    assert report.score == report.max_score, "the reference must score full marks"
    assert floor_report.score == floor_report.max_score
    print(f"hidden suite: {tests} tests, reference scores {report.score:g}/{report.max_score:g}")
    print(f"unisolated floor (in-process pytest, same tests): {floor * 1000:7.1f} ms median")
    print(f"isolated grade_submission (worker + sandbox):     {isolated * 1000:7.1f} ms median")
    print(
        f"ratio isolated / floor:                            {isolated / floor:7.2f}x"
        "  (target <= 2x)"
    )
    print(f"whole `grade` command in a subprocess:             {command * 1000:7.1f} ms median")
    print(
        f"target: isolated <= 600 ms -> {'met' if isolated <= 0.6 else 'MISSED'}; "
        f"ratio <= 2 -> {'met' if isolated / floor <= 2 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
