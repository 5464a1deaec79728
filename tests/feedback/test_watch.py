"""`grade watch`: grades on every real save, survives a syntax error, draws a compact view."""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.feedback import watch as watching
from grader.report import ExerciseResult, Report, Status, TestResult

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("batch_gradient", "sgd", "logistic_regression")
LIMIT = 60  # seconds to wait for one redraw before the test fails


@pytest.fixture
def submission(tmp_path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    for module in MODULES:
        shutil.copy(ROOT / "solutions" / f"{module}.py", folder / f"{module}.py")
    return folder


def tiny_report(status: Status = Status.PASSED, feedback: str = "") -> Report:
    tests = [
        TestResult("predict: values", "predict", Status.PASSED, 1.0, 1.0),
        TestResult("gradients: values", "gradients", status, 0.0, 3.0, feedback),
    ]
    return Report(
        suite="public", suite_digest="sha256:0", grader_version="0", submission="work",
        score=1.0, max_score=4.0, exercises=[ExerciseResult("batch_gradient", "Ex 1", 1.0, 4.0,
                                                            tests)],
        started_at="", seconds=0.1,
    )  # fmt: skip


# --- the view ------------------------------------------------------------------------------------


def test_view_marks_each_function_and_shows_the_first_problem():
    report = tiny_report(Status.FAILED, "gradients on a batch: dw is off.")
    text = watching.render(report, watching.Run(2, ["batch_gradient.py"], 0.4, "10:00:00"),
                           folder="work", suite="public", colour=False)  # fmt: skip
    assert "run 2" in text and "saved batch_gradient.py" in text
    assert "✓ predict" in text and "✗ gradients" in text and "· mse" not in text
    assert "First problem: batch_gradient.gradients" in text
    assert "dw is off." in text
    assert "grade hint batch_gradient.gradients" in text


def test_view_in_plain_ascii_for_terminals_that_need_it():
    report = tiny_report(Status.FAILED, "dw is off.")
    text = watching.render(report, watching.Run(1), folder="work", suite="public",
                           marks=watching.ASCII, colour=False)  # fmt: skip
    text.encode("ascii")
    assert "+ predict" in text and "x gradients" in text


def test_view_points_to_the_next_stub_and_says_when_all_pass():
    stub = tiny_report(Status.ERROR, "`gradients` raised NotImplementedError: ...")
    text = watching.render(stub, watching.Run(1), folder="w", suite="public", colour=False)
    assert "Next: write batch_gradient.gradients" in text and "· gradients" in text
    done = watching.render(tiny_report(), watching.Run(1), folder="w", suite="public",
                           colour=False)  # fmt: skip
    assert "Every public test passes." in done and "hidden suite" in done


def test_marks_fall_back_to_ascii():
    class Latin1:
        encoding = "latin-1"

    assert watching.marks_for(Latin1()) == watching.ASCII


# --- the loop, with a fake grader ----------------------------------------------------------------


def test_only_real_changes_are_graded_and_grader_problems_do_not_stop_it(submission):
    calls, shown = [], []

    def grade(folder, *, suite, timeout):
        calls.append(time.monotonic())
        if len(calls) == 2:
            raise RuntimeError("boom")
        return tiny_report()

    thread = threading.Thread(
        target=watching.watch,
        args=(submission,),
        kwargs=dict(grade=grade, max_runs=3, poll=True, interval=0.05, debounce=0.05,
                    echo=shown.append, clear=lambda: None),
    )  # fmt: skip
    thread.start()
    target = submission / "sgd.py"
    try:
        wait_for(lambda: len(calls) == 1)
        os.utime(target)  # touched, same content: not graded again
        time.sleep(0.5)
        assert len(calls) == 1
        target.write_text(target.read_text() + "\n# a comment\n")
        wait_for(lambda: len(calls) == 2)
        target.write_text(target.read_text() + "# another\n")
        thread.join(LIMIT)
    finally:
        target.write_text("")  # makes a hung loop exit at its next run, whatever happened
        thread.join(LIMIT)
    assert not thread.is_alive()
    assert len(calls) == 3
    assert any("could not finish this run (RuntimeError: boom)" in s for s in shown)
    assert "saved sgd.py" in shown[-1]


def wait_for(condition, limit: float = LIMIT) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# --- end to end: the real command in a subprocess ------------------------------------------------


class Lines:
    """The output of a process, read line by line in a thread."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.all: list[str] = []
        self.queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.queue.put(line)

    def until(self, *words: str, limit: float = LIMIT) -> str:
        """Read until every word has appeared in the output read since the last call."""
        seen, deadline = [], time.monotonic() + limit
        while not all(w in "".join(seen) for w in words):
            try:
                line = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"never saw {words}; output:\n{''.join(self.all)}") from None
            seen.append(line)
            self.all.append(line)
        return "".join(seen)


@pytest.mark.parametrize("backend", ["--poll", "watchfiles"])
def test_watch_end_to_end(submission, backend):
    """Grade, then a half-written file with a syntax error, then the fix: three redraws."""
    args = [sys.executable, "-m", "grader", "watch", str(submission), "--max-runs", "3"]
    if backend == "--poll":
        args += ["--poll", "--interval", "0.1"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               encoding="utf-8", env=env, cwd=submission.parent)  # fmt: skip
    try:
        out = Lines(process)
        first = out.until("run 1", "Save a file to grade again")
        assert "with the public suite" in first and "✓ gradients" in first
        module = submission / "batch_gradient.py"
        good = module.read_text(encoding="utf-8")
        half = good[: good.index("def gradients") + 40]  # saved in the middle of a docstring
        module.write_text(half, encoding="utf-8")
        second = out.until("run 2", "Save a file to grade again")
        assert "saved batch_gradient.py" in second
        assert "batch_gradient.py does not import" in second and "SyntaxError" in second
        assert "✓ sgd_step" in second  # the other exercises are still graded
        module.write_text(good, encoding="utf-8")
        third = out.until("run 3", "Save a file to grade again")
        assert "Every public test passes." in third
        assert process.wait(LIMIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# --- the warm grader ------------------------------------------------------------------------------


def scores(report: Report) -> dict[str, float]:
    return {e.name: e.score for e in report.exercises}


def test_a_re_grade_grades_what_the_save_changed_and_keeps_the_rest(submission):
    """After a save of sgd.py, sgd is graded again (its new result shows); the other exercises
    keep their last results, and the totals add up. A save that breaks batch_gradient.py
    re-grades sgd too when sgd.py imports it."""
    with watching.WarmGrader() as grade:
        first = grade(submission, suite="public", timeout=5.0)
        assert first.score == first.max_score
        sgd = submission / "sgd.py"
        sgd.write_text(sgd.read_text().replace("return w, b", "return w, 0.0"), encoding="utf-8")
        second = grade(submission, suite="public", timeout=5.0)
        assert scores(second)["sgd"] < scores(first)["sgd"]
        assert scores(second)["batch_gradient"] == scores(first)["batch_gradient"]
        assert second.score == pytest.approx(sum(scores(second).values()))
        assert [e.name for e in second.exercises] == list(MODULES)
        assert grade.affected(submission, grade.sources, "public") == ()  # nothing new

        source = (ROOT / "solutions" / "sgd.py").read_text(encoding="utf-8")
        importing = source.replace(
            "import numpy as np", "import numpy as np\nimport batch_gradient"
        )
        sgd.write_text(importing, encoding="utf-8")
        third = grade(submission, suite="public", timeout=5.0)
        assert scores(third)["sgd"] == scores(first)["sgd"]
        bg = submission / "batch_gradient.py"
        bg.write_text("this is not python\n", encoding="utf-8")
        fourth = grade(submission, suite="public", timeout=5.0)
        assert scores(fourth)["batch_gradient"] == 0
        assert scores(fourth)["sgd"] == 0  # it imports the broken module: graded again
        assert scores(fourth)["logistic_regression"] == scores(first)["logistic_regression"]


def test_the_hidden_suite_or_a_new_suite_grades_everything(submission):
    with watching.WarmGrader() as grade:
        grade(submission, suite="public", timeout=5.0)
        assert grade.affected(submission, grade.sources, "hidden") == ()  # () means: all


def test_a_save_made_once_the_verdict_is_shown_is_never_undone(submission):
    """The view is drawn before the run's clean-up; the sandbox puts the folder it graded back as
    it was, so watch grades a copy: the student's folder, saved meanwhile, keeps the save."""
    module = submission / "sgd.py"
    saved = module.read_text(encoding="utf-8") + "# saved while the verdict was on screen\n"

    def save_now(report):
        assert report.score == report.max_score
        module.write_text(saved, encoding="utf-8")

    with watching.WarmGrader() as grade:
        grade(submission, suite="public", timeout=5.0, early=save_now)
        assert module.read_text(encoding="utf-8") == saved
        grade(submission, suite="public", timeout=5.0)  # the save is graded next
        assert grade.affected(submission, grade.sources, "public") == ()
