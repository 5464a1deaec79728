"""A newcomer's papercuts, each through the real `grade` command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from grader.feedback import plot
from grader.feedback.hints import course_state_dir

from .conftest import GRADE, RUN_LIMIT


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([GRADE, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=RUN_LIMIT, env={**os.environ, **(env or {})})  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_grade_inside_the_exercises_folder_grades_it(grade, submission):
    """`grade` with no PATH, run inside the folder of exercise files, grades that folder."""
    folder = submission()
    result = grade(cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "Grading this folder" in result.stderr
    assert result.report["score"] == result.report["max_score"]


def test_grade_in_an_unrelated_folder_still_says_what_to_do(tmp_path):
    done = run(cwd=tmp_path)
    assert done.returncode == 2
    assert "There is no ./exercises folder here" in done.stderr


@pytest.mark.parametrize("fmt", ["gradescope", "classroom", "native"])
def test_format_without_output_is_a_usage_error(tmp_path, submission, fmt):
    """--format shapes the report written with -o: without -o it is refused, exit 2, at once."""
    done = run(str(submission()), "--format", fmt, cwd=tmp_path)
    assert done.returncode == 2
    assert f"--format {fmt} shapes the report written with -o FILE" in done.stderr
    assert "Total:" not in done.stdout  # refused before grading


@pytest.mark.parametrize(("typed", "verb"), [("wacth", "watch"), ("hitn", "hint"),
                                              ("relase", "release")])  # fmt: skip
def test_a_misspelt_verb_gets_did_you_mean(tmp_path, typed, verb):
    done = run(typed, cwd=tmp_path)
    assert done.returncode == 2
    assert f"Did you mean `grade {verb}`?" in done.stderr


def test_a_folder_named_like_a_misspelt_verb_is_graded(grade, tmp_path, submission):
    """`grade wacth` grades a folder that really is called wacth."""
    submission().rename(tmp_path / "wacth")
    result = grade("wacth")
    assert result.returncode == 0, result.stderr
    assert "Did you mean" not in result.stderr


def test_hint_with_a_number_out_of_range_lists_the_numbers(tmp_path):
    done = run("hint", "4", cwd=tmp_path, env={"GRADE_STATE_DIR": str(tmp_path / "state")})
    assert done.returncode == 2
    text = " ".join(done.stderr.split())
    assert "1 = batch_gradient (batch_gradient.py)" in text
    assert "3 = logistic_regression (logistic_regression.py)" in text


def test_help_lists_version_and_verbose(tmp_path):
    done = run("--help", cwd=tmp_path)
    assert done.returncode == 0
    assert "--version" in done.stdout and "-v, --verbose" in done.stdout
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("grade ")
    same = run(".", "--version", cwd=tmp_path)  # after a PATH: the same answer
    assert same.returncode == 0 and same.stdout == version.stdout


def test_the_readme_table_lists_version_and_verbose():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "| `grade --version` |" in readme and "| `grade PATH -v` |" in readme


def test_hint_progress_is_kept_per_course(tmp_path, monkeypatch):
    """The progress file lives in a folder of this course (this install), not in one file that
    every course and copy of a handout would share."""
    state = tmp_path / "state"
    done = run("hint", "gradients", cwd=tmp_path, env={"GRADE_STATE_DIR": str(state)})
    assert done.returncode == 0 and "Hint 1 of" in done.stdout
    assert not (state / "hints.json").exists()
    files = list((state / "courses").glob("*/hints.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text())["seen"] == {"batch_gradient.gradients": 1}
    again = run("hint", "gradients", cwd=tmp_path, env={"GRADE_STATE_DIR": str(state)})
    assert "Hint 2 of" in again.stdout
    # Another course (another install of a course.toml) keeps its progress elsewhere.
    monkeypatch.setenv("GRADE_STATE_DIR", str(state))
    assert course_state_dir(tmp_path / "other" / "course.toml") != files[0].parent
    assert course_state_dir() == files[0].parent


def test_plot_without_matplotlib_says_so_at_once(tmp_path, submission):
    """An error that comes at once is not announced as "a few seconds" of work."""
    blocker = tmp_path / "no-matplotlib"
    (blocker / "matplotlib").mkdir(parents=True)
    (blocker / "matplotlib" / "__init__.py").write_text("raise ImportError('not installed')\n")
    done = run("plot", str(submission()), "-o", str(tmp_path / "c.png"), cwd=tmp_path,
               env={"PYTHONPATH": str(blocker)})  # fmt: skip
    assert done.returncode == 2
    assert "needs matplotlib" in done.stderr
    assert "a few seconds" not in done.stderr


def test_plot_legends_sit_beside_both_panels_and_marks_where_lines_leave(tmp_path, submission):
    """Each panel has its own legend, so "(diverged)" describes that panel's runs; the reference
    panel keeps its own. Through the real command: the PNG is written."""
    done = run("plot", str(submission()), "-o", str(tmp_path / "c.png"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "c.png").stat().st_size > 10_000
    student = {k: plot.Curve(list(c.losses), diverged=False) for k, c in
               plot.reference_curves().items()}  # fmt: skip
    fig = plot.figure(student, plot.reference_curves(), title="t")
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 2 * len(plot.EXPERIMENTS)  # one beside each panel
    texts = [" ".join(t.get_text() for t in legend.get_texts()) for legend in legends]
    assert not any("diverged" in t for t in texts[0::2])  # the student's runs did not diverge
    assert any("diverged" in t for t in texts[1::2])  # some of the reference's do


@pytest.mark.parametrize(
    ("losses", "log", "expected"),
    [
        ([1.0, 2.0, 8.0, 100.0], False, 2 - 1 + (4 - 2) / (8 - 2)),  # crosses 4 between 1 and 2
        ([1.0, 10.0, 1000.0], True, 1 + 1 / 2),  # log scale: 100 halfway from 10 to 1000
        ([1.0, 3.0], False, 1.0),  # never crosses: its last point
    ],
)
def test_the_cross_sits_where_the_line_leaves_the_axis(losses, log, expected):
    top = 100.0 if log else 4.0
    x, y = plot.leaves_at(losses, top, log=log)
    assert x == pytest.approx(expected) and y == min(top, losses[-1])
