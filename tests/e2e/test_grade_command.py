"""The `grade` command end to end: the real CLI in a subprocess, reports checked by the schema."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("batch_gradient", "sgd", "logistic_regression")


def all_tests(report: dict) -> list[dict]:
    return [t for e in report["exercises"] for t in e["tests"]]


def test_the_reference_scores_full_marks_on_the_hidden_suite(grade):
    graded = grade(str(ROOT / "solutions"), "--suite", "hidden")
    assert graded.returncode == 0, graded.stderr
    report = graded.report
    assert report["suite"] == "hidden" and report["score"] == report["max_score"] > 0
    assert [e["name"] for e in report["exercises"]] == list(MODULES)
    assert all(t["status"] == "passed" and t["feedback"] == "" for t in all_tests(report))
    assert report["suite_digest"].startswith("sha256:") and report["grader_errors"] == []
    assert "Total: 25 / 25 (100%)" in graded.stdout


def test_the_reference_scores_full_marks_on_the_public_suite(grade):
    graded = grade(str(ROOT / "solutions"))
    assert graded.report["suite"] == "public"
    assert graded.report["score"] == graded.report["max_score"]


def test_the_stubs_score_zero_with_a_complete_report(grade):
    graded = grade(str(ROOT / "exercises"), "--suite", "hidden")
    assert graded.returncode == 0
    report = graded.report
    assert report["score"] == 0 and report["max_score"] == 25
    for exercise in report["exercises"]:
        assert exercise["tests"], exercise["name"]
        shares = sum(t["max_score"] for t in exercise["tests"])
        assert exercise["max_score"] == pytest.approx(shares, abs=1e-9)
    for test in all_tests(report):
        assert test["status"] == "error" and "NotImplementedError" in test["feedback"]


def test_grade_with_no_arguments_grades_exercises_with_the_public_suite(grade, tmp_path):
    shutil.copytree(ROOT / "exercises", tmp_path / "exercises")
    graded = grade(cwd=tmp_path)
    assert graded.returncode == 0
    assert graded.report["suite"] == "public" and graded.report["submission"] == "exercises"
    assert "Total: 0 / 25" in graded.stdout and "grade hint" in graded.stdout


def test_an_empty_folder_scores_zero_and_says_which_files_are_missing(grade, tmp_path):
    (tmp_path / "empty").mkdir()
    graded = grade(str(tmp_path / "empty"), "--suite", "hidden")
    assert graded.returncode == 0 and graded.report["score"] == 0
    for exercise in graded.report["exercises"]:
        assert all(f"{exercise['name']}.py" in t["feedback"] for t in exercise["tests"])


def test_a_syntax_error_costs_only_its_exercise(grade, submission):
    folder = submission(edits={"sgd": [("def sgd_step(", "def sgd_step(:")]})
    graded = grade(str(folder), "--suite", "hidden")
    assert graded.returncode == 0
    assert graded.exercise("sgd")["score"] == 0
    assert all("SyntaxError" in t["feedback"] for t in graded.exercise("sgd")["tests"])
    for name in ("batch_gradient", "logistic_regression"):
        exercise = graded.exercise(name)
        assert exercise["score"] == exercise["max_score"], name


def test_an_import_error_costs_only_its_exercise(grade, submission):
    folder = submission(
        edits={"logistic_regression": [("import numpy as np", "import numpyy as np")]}
    )
    graded = grade(str(folder), "--suite", "hidden")
    assert graded.exercise("logistic_regression")["score"] == 0
    assert "numpyy" in graded.exercise("logistic_regression")["tests"][0]["feedback"]
    assert graded.report["score"] == 15


def test_an_infinite_loop_times_out_and_the_rest_is_graded(grade, submission):
    loop = "def gradients(X, y, w, b):\n    while True:\n        pass\n\n\ndef _unused("
    folder = submission(edits={"batch_gradient": [("def gradients(", loop)]})
    start = time.monotonic()
    graded = grade(str(folder), "--suite", "hidden", "--timeout", "1")
    elapsed = time.monotonic() - start
    statuses = {t["status"] for t in graded.function_tests("batch_gradient", "gradients")}
    assert statuses == {"timeout"}
    assert graded.exercise("sgd")["score"] == graded.exercise("sgd")["max_score"]
    assert graded.exercise("logistic_regression")["score"] == 10
    # One timeout per hanging function, not one per test: bounded well below tests x timeout.
    assert elapsed < 60


def test_a_crash_in_a_function_is_an_error_and_the_rest_is_graded(grade, submission):
    crash = "def sigmoid(z):\n    import os\n    os._exit(3)\n\n\ndef _unused("
    folder = submission(edits={"logistic_regression": [("def sigmoid(", crash)]})
    graded = grade(str(folder), "--suite", "hidden")
    sigmoid = graded.function_tests("logistic_regression", "sigmoid")
    assert sigmoid and all(t["status"] == "error" for t in sigmoid)
    assert graded.exercise("batch_gradient")["score"] == 10 and graded.exercise("sgd")["score"] == 5


def test_fail_under_turns_a_low_score_into_exit_status_1(grade):
    assert grade(str(ROOT / "exercises"), "--fail-under", "50").returncode == 1
    assert grade(str(ROOT / "solutions"), "--fail-under", "100").returncode == 0


def test_gradescope_format(grade):
    graded = grade(str(ROOT / "solutions"), "--suite", "hidden", "--format", "gradescope")
    results = graded.report
    assert results["score"] == 25 and results["stdout_visibility"] == "hidden"
    assert sum(t["max_score"] for t in results["tests"]) == pytest.approx(25, abs=1e-9)


def test_what_the_submission_prints_is_kept_per_test_and_capped(grade, submission):
    # Loud on direct calls only: gradient descent calls predict thousands of times.
    chatty = (
        "import sys\n\n\ndef predict(X, w, b):\n"
        "    if sys._getframe(1).f_code.co_filename != __file__:\n"
        "        print('hello from predict')\n"
        "        print('x' * 5_000_000)\n"
        "    return _predict(X, w, b)\n\n\ndef _predict("
    )
    folder = submission(edits={"batch_gradient": [("def predict(", chatty)]})
    graded = grade(str(folder), "--suite", "hidden")
    predict = graded.function_tests("batch_gradient", "predict")
    assert predict and all(t["status"] == "passed" for t in predict)
    assert all(t["output"].startswith("hello from predict") for t in predict)
    assert all(len(t["output"]) < 10_000 and "cut" in t["output"] for t in predict)
    # The note says how much was printed in all, not only what the report left out of the part
    # that reached the grader (the rest was never sent).
    assert all(re.search(r"4\.\d MB more not shown", t["output"]) for t in predict), predict[0]
    assert graded.report["output_note"]
    assert graded.report["score"] == graded.report["max_score"]


def test_a_repository_holding_exercises_is_graded_like_batch_and_gradescope_grade_it(
    grade, tmp_path
):
    shutil.copytree(ROOT / "solutions", tmp_path / "repo" / "exercises")
    graded = grade(str(tmp_path / "repo"), "--suite", "hidden")
    assert graded.report["score"] == 25
    assert "grading that folder" in graded.stderr


def test_a_submission_may_use_the_course_data_and_nothing_else_of_the_grader(grade, submission):
    uses_data = (
        "import numpy as np\nfrom grader.datasets import toy_regression\n\n"
        "X_TOY, Y_TOY = toy_regression()\n"
    )
    folder = submission(
        edits={
            "batch_gradient": [("import numpy as np\n", uses_data)],
            "sgd": [("import numpy as np\n", "import numpy as np\nimport grader.runner\n")],
        }
    )
    graded = grade(str(folder), "--suite", "hidden")
    assert graded.exercise("batch_gradient")["score"] == 10
    assert graded.exercise("sgd")["score"] == 0
    assert "'grader.runner' is not available" in graded.exercise("sgd")["tests"][0]["feedback"]
