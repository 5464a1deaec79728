"""The batch's rehearsal: the reference's answers computed once per grading process change no
report, and a grader without the reference (a handout) only collects the suite."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from grader.instructor import rehearsal
from grader.suites.hidden import answers

GRADE = str(Path(sys.executable).with_name("grade"))
SOLUTIONS = Path(__import__("solutions").__file__).parent

#: Mistakes whose feedback quotes the reference's answers (not one that draws from NumPy's global
#: generator: its values, and so the feedback quoting them, differ from run to run anyway).
EDITS = {
    "half_gradient": (
        "batch_gradient", "dw = 2.0 / n * (X.T @ residual)", "dw = 1.0 / n * (X.T @ residual)"
    ),
    "no_bias_step": (
        "logistic_regression", "w, b = w - eta * dw, b - eta * db", "w, b = w - eta * dw, b"
    ),
    "no_shuffle": ("sgd", "for i in rng.permutation(n):", "for i in range(n):"),
}  # fmt: skip


def what_a_student_reads(report: dict) -> list[tuple]:
    return [
        (t["name"], t["status"], t["score"], t["feedback"], t["output"])
        for e in report["exercises"]
        for t in e["tests"]
    ]


def test_a_batch_report_is_the_report_of_grading_alone_word_for_word(
    tmp_path, make_submission, world_readable_tmp
):
    folder = world_readable_tmp / "class"
    make_submission(folder / "correct")
    for name, (module, old, new) in EDITS.items():
        text = (SOLUTIONS / f"{module}.py").read_text()
        assert text.count(old) == 1, name
        make_submission(folder / name, **{module: text.replace(old, new)})
    out = tmp_path / "out"
    batch = subprocess.run(
        [GRADE, "batch", folder, "-o", out, "--jobs", "1"],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert batch.returncode == 0, batch.stderr
    for name in ("correct", *EDITS):
        alone = tmp_path / f"{name}.json"
        run = subprocess.run(
            [GRADE, folder / name, "--suite", "hidden", "-o", alone],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        graded_alone = json.loads(alone.read_text())
        in_batch = json.loads((out / "reports" / f"{name}.json").read_text())
        assert in_batch["score"] == graded_alone["score"], name
        assert what_a_student_reads(in_batch) == what_a_student_reads(graded_alone), name
        if name != "correct":
            assert graded_alone["score"] < 25, name  # the mistakes are really caught


def test_the_rehearsal_remembers_every_answer_of_the_reference():
    answers.forget()
    rehearsal.warm_up("hidden")
    assert len(answers._ANSWERS) >= 90  # one per comparison with the reference, about
    answers.forget()


def test_without_the_reference_the_suite_is_only_collected(tmp_path, monkeypatch):
    monkeypatch.setattr(rehearsal, "SOLUTIONS", tmp_path)  # a handout has no solutions/
    assert rehearsal.ReferenceCaller.installed() is None
    answers.forget()
    rehearsal.warm_up("hidden")
    assert answers._ANSWERS == {}
