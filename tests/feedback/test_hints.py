"""`grade hint`: one guiding question at a time, remembered per function; clear errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import load_course
from grader.feedback.hints import UnknownName, hint, resolve

COURSE = load_course()
GRADIENT_HINTS = COURSE.exercise("batch_gradient").function("gradients").hints


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_STATE_DIR", str(tmp_path / "state"))

    def run(*args):
        return CliRunner().invoke(main, ["hint", *args])

    return run


def first_words(text: str) -> str:
    return " ".join(text.split()[:6])


def test_each_run_shows_the_next_hint_then_all_again(run):
    shown = [run("gradients") for _ in GRADIENT_HINTS]
    for number, (result, expected) in enumerate(zip(shown, GRADIENT_HINTS, strict=True), 1):
        assert result.exit_code == 0
        assert f"Hint {number} of {len(GRADIENT_HINTS)} for gradients" in result.output
        assert first_words(expected) in " ".join(result.output.split())
    assert "That was the last hint" in shown[-1].output
    again = run("gradients")
    assert "You have seen every hint for gradients" in again.output
    assert all(first_words(h) in " ".join(again.output.split()) for h in GRADIENT_HINTS)


def test_functions_are_remembered_separately(run):
    run("gradients")
    assert "Hint 1 of" in run("mse").output
    assert "Hint 2 of" in run("gradients").output


def test_reset_starts_over(run):
    run("gradients")
    run("gradients")
    assert "Forgot" in run("gradients", "--reset").output
    assert "Hint 1 of" in run("gradients").output


def test_all_shows_every_hint_and_counts_them_seen(run):
    result = run("bce", "--all")
    hints = COURSE.exercise("logistic_regression").function("bce").hints
    assert [f"{i}. " in result.output for i in range(1, len(hints) + 1)] == [True] * len(hints)
    assert "You have seen every hint" in run("bce").output


def test_an_exercise_goes_through_its_functions_in_order(run):
    sgd_step = COURSE.exercise("sgd").function("sgd_step").hints
    outputs = [run("sgd.py").output for _ in range(len(sgd_step) + 1)]
    assert all("for sgd_step" in out for out in outputs[:-1])
    assert "Hint 1 of 3 for sgd " in outputs[-1]


def test_a_function_name_wins_over_the_exercise_of_the_same_name():
    assert [t.key for t in resolve("sgd", COURSE)] == ["sgd.sgd"]
    assert [t.key for t in resolve("2", COURSE)] == ["sgd.sgd_step", "sgd.sgd"]
    assert len(resolve("batch_gradient", COURSE)) == 5


def test_the_name_shared_by_two_exercises_needs_its_module(run):
    result = run("predict")
    assert result.exit_code == 2
    assert "logistic_regression.predict" in result.output
    assert (
        "Hint 1 of 2 for predict (exercise logistic_regression"
        in run("logistic_regression.predict").output
    )


def test_unknown_names_list_the_valid_ones(run):
    result = run("gradiant")
    assert result.exit_code == 2
    assert "Did you mean 'gradients'?" in result.output
    assert "lr_gradient_descent" in result.output and "logistic_regression" in result.output
    assert "Traceback" not in result.output


def test_no_name_gives_an_overview(run):
    run("gradients")
    result = run()
    assert result.exit_code == 0
    assert "1 of 5 seen" in result.output.replace("  ", " ")


def test_an_unwritable_state_folder_still_shows_the_hint(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    text = hint("mse", folder=blocker / "state")
    assert "Hint 1 of" in text and "could not save" in text


def test_a_corrupt_state_file_is_ignored(tmp_path):
    (tmp_path / "hints.json").write_text("{not json")
    assert "Hint 1 of" in hint("mse", folder=tmp_path)


def test_unknown_name_from_python():
    with pytest.raises(UnknownName):
        resolve("nope", COURSE)
