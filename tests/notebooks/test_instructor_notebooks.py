"""`grade batch` with notebook submissions: folders, zips and mixes score what modules score.

Gradescope's `run_autograder` on a notebook upload is tested with the rest of the bundle in
tests/instructor/test_gradescope.py (one simulated autograder tree serves both).
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import studentlike
from nbcases import MODULES, golden, reference

GRADE = str(Path(sys.executable).with_name("grade"))


def _case(case_id: str) -> dict[str, str]:
    case = next(c for c in golden.CASES if c.id == case_id)
    return {f"{m}.py": text for m, text in case.sources().items()}


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def outcomes(report: dict) -> list[tuple]:
    return [
        (e["name"], [(t["name"], t["status"], t["score"]) for t in e["tests"]])
        for e in report["exercises"]
    ]


def test_a_class_of_notebook_submissions(tmp_path, graded_submissions, validator):
    as_modules = {
        "ana": _case("notes-style"),
        "ben": _case("gradients-missing-factor-2"),
        "cleo": _case("sgd-via-minibatch"),
    }
    folder = tmp_path / "class"
    _write(folder / "ana", studentlike.as_notebooks(as_modules["ana"]))
    # A mix: the mistaken exercise as a notebook, the others as modules.
    _write(folder / "ben", studentlike.as_notebooks(as_modules["ben"], only=("batch_gradient",)))
    with zipfile.ZipFile(folder / "cleo.zip", "w") as zf:  # a repository with notebooks, zipped
        for name, text in studentlike.as_notebooks(as_modules["cleo"]).items():
            zf.writestr(f"cleo-repo/exercises/{name}", text)
        zf.writestr("cleo-repo/README.md", "my work")
    dana = studentlike.as_notebooks(reference(), only=("sgd",))
    dana["sgd.ipynb"] = dana["sgd.ipynb"][:700]  # cut off while saving
    _write(folder / "dana", dana)

    out = tmp_path / "out"
    run = subprocess.run([GRADE, "batch", folder, "-o", out, "--suite", "hidden", "--jobs", "2"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    reports = {}
    for name in ("ana", "ben", "cleo", "dana"):
        reports[name] = json.loads((out / "reports" / f"{name}.json").read_text())
        validator.validate(reports[name])
        assert not reports[name]["grader_errors"], name
    expected = graded_submissions.get_many(
        [(files, ("--suite", "hidden")) for files in as_modules.values()]
    )
    for name, module_run in zip(as_modules, expected, strict=True):
        assert outcomes(reports[name]) == outcomes(module_run.report), name
        assert reports[name]["score"] == module_run.report["score"], name
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as f:
        book = {row["id"]: row for row in csv.DictReader(f)}
    assert book["ana"]["total"] == book["cleo"]["total"] == "25"
    assert book["dana"]["sgd"] == "0" and book["dana"]["total"] == "20"
    sgd = next(e for e in reports["dana"]["exercises"] if e["name"] == "sgd")
    assert {t["status"] for t in sgd["tests"]} == {"error"}
    assert "not a complete notebook" in sgd["tests"][0]["feedback"]
    assert sgd["notebook"]["note"] == sgd["tests"][0]["feedback"]
    assert [e.get("notebook", {}).get("file") for e in reports["ben"]["exercises"]] == [
        "batch_gradient.ipynb",
        None,
        None,
    ]
    assert set(MODULES) == {e["name"] for e in reports["ana"]["exercises"]}


def test_a_changed_notebook_is_graded_again_on_resume(tmp_path):
    folder = tmp_path / "class"
    _write(folder / "eve", studentlike.as_notebooks(reference(), only=("sgd",)))
    out = tmp_path / "out"
    command = [GRADE, "batch", folder, "-o", out, "--suite", "public"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    (folder / "eve" / "sgd.ipynb").write_text("{", encoding="utf-8")
    second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0, second.stderr
    report = json.loads((out / "reports" / "eve.json").read_text())
    assert next(e for e in report["exercises"] if e["name"] == "sgd")["score"] == 0


def test_the_classroom_workflow_steps_find_and_grade_notebooks(tmp_path, validator):
    """The steps of templates/classroom.yml on a repository made from the notebook handout."""
    repo = tmp_path / "submission"
    _write(repo / "exercises", studentlike.as_notebooks(reference()))
    (repo / "README.md").write_text("handout")
    found = subprocess.run([sys.executable, "-I", "-m", "grader.instructor.submissions", repo],
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert Path(found.stdout.strip()) == repo / "exercises"
    report = tmp_path / "report.json"
    subprocess.run([GRADE, found.stdout.strip(), "--suite", "hidden", "-o", report],
                   check=True, capture_output=True, timeout=120)  # fmt: skip
    validator.validate(json.loads(report.read_text()))
    summary = tmp_path / "summary.md"
    subprocess.run([sys.executable, "-I", "-m", "grader.instructor.actions", report,
                    "--summary", summary], check=True, cwd=tmp_path)  # fmt: skip
    text = summary.read_text()
    assert "## Score: 25 / 25" in text and "### Notebooks" in text and "sgd.ipynb" in text
