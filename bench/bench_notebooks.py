"""Benchmark: what grading a notebook adds to grading the same code as a module.

Makes the reference solutions into notebooks the way students write them
(tests/notebooks/studentlike.py: magics, shell lines, exploration, a plotting cell, a failing
scratch cell), then prints:

- the conversion of the three notebooks on the trusted side (nbformat read + the AST pass),
  once with nbformat's import and cold, then warm;
- the median wall time of `grade_submission(..., suite="hidden")` of the modules and of the
  notebooks, and of the whole `grade` command in a subprocess for each.

    python bench/bench_notebooks.py [--runs 7]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
MODULES = ("batch_gradient", "sgd", "logistic_regression")


def _studentlike():
    spec = importlib.util.spec_from_file_location(
        "studentlike", ROOT / "tests" / "notebooks" / "studentlike.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def median(job, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    studentlike = _studentlike()
    scratch = Path(tempfile.mkdtemp(prefix="bench-notebooks-"))
    scratch.chmod(0o755)
    modules, notebooks = scratch / "modules", scratch / "notebooks"
    modules.mkdir()
    notebooks.mkdir()
    for name in MODULES:
        source = (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8")
        (modules / f"{name}.py").write_text(source, encoding="utf-8")
        (notebooks / f"{name}.ipynb").write_text(studentlike.student_notebook(name, source))

    start = time.perf_counter()
    from grader import notebooks as nb
    from grader.notebooks import conversion

    nb.read_folder(notebooks)
    cold = time.perf_counter() - start

    def convert_all() -> None:
        conversion._convert.cache_clear()
        nb.read_folder(notebooks)

    warm = median(convert_all, runs)
    print(f"conversion of 3 notebooks, first (imports nbformat): {cold * 1000:7.1f} ms")
    print(f"conversion of 3 notebooks, warm (median):            {warm * 1000:7.1f} ms")

    from grader.runner import grade_submission
    from grader.suites.hidden import answers

    def grade(folder: Path):
        def job() -> None:
            answers.forget()
            conversion._convert.cache_clear()
            report = grade_submission(folder, suite="hidden")
            assert report.score == report.max_score, report.score

        return job

    for label, folder in (("modules", modules), ("notebooks", notebooks)):
        seconds = median(grade(folder), runs)
        print(f"grade_submission, hidden suite, {label:<9} (median): {seconds * 1000:7.1f} ms")
    grade_script = Path(sys.executable).with_name("grade")
    for label, folder in (("modules", modules), ("notebooks", notebooks)):
        seconds = median(
            lambda f=folder: subprocess.run(
                [grade_script, f, "--suite", "hidden"], capture_output=True, check=True
            ),
            runs,
        )
        print(f"`grade` command, hidden suite, {label:<9} (median):  {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
