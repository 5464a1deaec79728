"""Hostile notebooks: a cell that hangs, exits or floods output costs at most its own exercise.

At the top level such a cell is exploration: it is left out and costs nothing. Made necessary
(a value a function reads), it runs when the module is imported, and costs that exercise only,
as a module doing the same at import does.
"""

from __future__ import annotations

import pytest
import studentlike
from nbcases import MODULES, SOLUTIONS

HANG = "while True:\n    pass"
EXIT = "import os\nos._exit(3)"
FLOOD = "print('spam ' * 5_000_000)"
NEEDED = "VALUE = {call}\n\ndef _reads_value():\n    return VALUE"
HOSTILE = {
    "batch_gradient": ("import time\n" + NEEDED.format(call="time.sleep(3600)"), HANG),
    "sgd": ("import os\n" + NEEDED.format(call="os._exit(3)"), EXIT),
    "logistic_regression": (NEEDED.format(call=f"{FLOOD[:-1]}, flush=True)"), FLOOD),
}


def _notebooks(kept: bool) -> dict[str, str]:
    return {
        f"{m}.ipynb": studentlike.student_notebook(
            m, (SOLUTIONS / f"{m}.py").read_text(), extra=(HOSTILE[m][0 if kept else 1],)
        )
        for m in MODULES
    }


@pytest.fixture(scope="module")
def runs(graded_submissions):
    options = ("--suite", "public", "--timeout", "1")
    left_out, kept = graded_submissions.get_many([(_notebooks(False), options),
                                                  (_notebooks(True), options)])  # fmt: skip
    return {"left out": left_out, "kept": kept}


def _scores(report: dict) -> dict[str, float]:
    return {e["name"]: e["score"] for e in report["exercises"]}


def test_hostile_exploration_cells_cost_nothing(runs, validator):
    run = runs["left out"]
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    validator.validate(run.report)
    assert run.report["score"] == run.report["max_score"]
    assert not run.report["grader_errors"]


def test_hostile_cells_a_function_needs_cost_their_own_exercise_only(runs, validator):
    run = runs["kept"]
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-2000:]
    validator.validate(run.report)
    assert not run.report["grader_errors"]
    scores = _scores(run.report)
    assert scores["batch_gradient"] == 0 and scores["sgd"] == 0  # hangs, exits at import
    assert scores["logistic_regression"] == 10  # printing a lot at import is no mistake
    for name in ("batch_gradient", "sgd"):
        exercise = next(e for e in run.report["exercises"] if e["name"] == name)
        assert {t["status"] for t in exercise["tests"]} == {"error"}
        assert f"your notebook {name}.ipynb" in exercise["tests"][0]["feedback"]
    flood = next(e for e in run.report["exercises"] if e["name"] == "logistic_regression")
    assert all(len(t["output"]) < 10_000 for t in flood["tests"])  # capped
