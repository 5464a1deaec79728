"""Knock-on failures: a function built from a failing helper points at the helper."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import CourseError, load_course

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("batch_gradient", "sgd", "logistic_regression")


def graded(tmp_path: Path, module: str, old: str, new: str) -> dict:
    import json

    folder = tmp_path / "sub"
    folder.mkdir()
    for m in MODULES:
        text = (ROOT / "solutions" / f"{m}.py").read_text(encoding="utf-8")
        if m == module:
            assert text.count(old) == 1
            text = text.replace(old, new)
        (folder / f"{m}.py").write_text(text, encoding="utf-8")
    out = tmp_path / "r.json"
    grade = Path(sys.executable).with_name("grade")
    subprocess.run([str(grade), str(folder), "-o", str(out)], check=True, capture_output=True,
                   timeout=180)  # fmt: skip
    return json.loads(out.read_text())


def feedback(report: dict, function: str) -> list[str]:
    return [t["feedback"] for e in report["exercises"] for t in e["tests"]
            if t["function"] == function and t["status"] == "failed"]  # fmt: skip


def test_a_wrong_helper_makes_its_caller_point_at_it(tmp_path):
    """sgd_step's factor 2 missing (in the helper sgd uses): sgd's failures point at sgd_step."""
    report = graded(tmp_path, "sgd", "w = w - eta * (2.0 * (x_row.T @ residual))",
                    "w = w - eta * (1.0 * (x_row.T @ residual))")  # fmt: skip
    assert feedback(report, "sgd_step"), "the helper fails"
    for text in feedback(report, "sgd"):
        assert "Your `sgd_step` also fails its own tests" in text
        assert text.rstrip().endswith("?")
    for text in feedback(report, "sgd_step"):
        assert "also fail" not in text  # the helper itself is not pointed elsewhere


def test_a_function_whose_helpers_pass_is_not_pointed_elsewhere(tmp_path):
    report = graded(tmp_path, "batch_gradient", "for _ in range(max_iter):\n        order",
                    "for _ in range(max_iter + 1):\n        order")  # fmt: skip
    assert feedback(report, "lr_gradient_descent")
    assert not any("also fail" in t for t in feedback(report, "lr_gradient_descent"))


def test_uses_names_functions_of_the_same_exercise(tmp_path):
    text = (ROOT / "grader" / "course.toml").read_text(encoding="utf-8")
    bad = tmp_path / "course.toml"
    bad.write_text(text.replace('uses = ["sgd_step"]', 'uses = ["gradients"]'), encoding="utf-8")
    with pytest.raises(CourseError, match="uses"):
        load_course(bad)
    assert load_course().exercise("sgd").function("sgd").uses == ("sgd_step",)
