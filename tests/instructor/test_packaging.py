"""The instructor's package, built as a wheel and installed for real (not editable).

It holds the reference solutions and the hidden suite, so it must say it is private (PyPI
refuses an upload with the `Private ::` classifier), carry its licence, and install nothing
called `solutions` or `exercises` at the top of site-packages: installed, they are
`grader.solutions` and `grader.exercises`, and everything that looks for them still finds them.
"""

from __future__ import annotations

import email
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.instructor import layout

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPOSITORY = layout.PACKAGE.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not (REPOSITORY / "pyproject.toml").is_file():
        pytest.skip("builds the wheel from the instructor's repository")
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, REPOSITORY],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert build.returncode == 0, build.stdout + build.stderr
    (found,) = out.glob("gd_autograder-*.whl")
    return found


def test_the_wheel_is_private_licensed_and_complete(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = email.message_from_bytes(zf.read(metadata))
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert "Private :: Do Not Upload" in meta.get_all("Classifier")
    assert meta["License-Expression"] == "MIT" and meta["License-File"] == "LICENSE"
    for field in ("Name", "Version", "Summary", "Requires-Python", "Author", "Keywords"):
        assert meta[field], f"{field} is empty"
    assert meta.get_all("Requires-Dist")
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"grader"}, "only the grader's namespace at the top of site-packages"
    for module in ("batch_gradient", "sgd", "logistic_regression"):
        assert f"grader/solutions/{module}.py" in names and f"grader/exercises/{module}.py" in names
    assert "grader/suites/hidden/conftest.py" in names
    assert "grader/instructor/templates/classroom.yml" in names


def test_every_package_of_the_source_tree_is_listed():
    """pyproject.toml lists the packages by hand (two are mapped): a new one must be added."""
    config = tomllib.loads((REPOSITORY / "pyproject.toml").read_text())["tool"]["setuptools"]
    on_disk = {
        ".".join(p.parent.relative_to(REPOSITORY).parts)
        for p in (REPOSITORY / "grader").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    mapped = {f"grader.{name}" for name in layout.COURSE_FOLDERS}
    assert set(config["packages"]) == on_disk | mapped
    assert config["package-dir"] == {f"grader.{n}": n for n in layout.COURSE_FOLDERS}


def test_installed_from_the_wheel_it_finds_its_solutions_and_grades(
    wheel, fresh_venv, pip, world_readable_tmp
):
    """Not editable: the hidden suite, batch's rehearsal, the diagnoses, release and the bundle
    find what they need there."""
    venv = fresh_venv("installed")
    pip(venv, str(wheel))
    python, grade = venv / "bin" / "python", venv / "bin" / "grade"
    where = subprocess.run(
        [python, "-I", "-c", "import grader, grader.instructor.layout as l; "
         "print(grader.__file__); print(l.solutions()); print(l.stubs())"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    package, solutions, stubs = map(Path, where.stdout.splitlines())
    assert package.is_relative_to(venv) and solutions == package.parent / "solutions"
    assert stubs == package.parent / "exercises"
    site = package.parent.parent
    assert not (site / "solutions").exists() and not (site / "exercises").exists()

    report = world_readable_tmp / "report.json"
    run = subprocess.run([grade, solutions, "--suite", "hidden", "-o", report],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert json.loads(report.read_text())["score"] == 25.0

    # `grade batch` rehearses the suite against the installed reference first.
    klass = world_readable_tmp / "class"
    shutil.copytree(solutions, klass / "alice", ignore=shutil.ignore_patterns("__*"))
    run = subprocess.run([grade, "batch", klass, "-o", world_readable_tmp / "graded"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    gradebook = (world_readable_tmp / "graded" / "gradebook.csv").read_text()
    assert "alice" in gradebook and "25" in gradebook

    # The variant diagnoses re-run the reference with a mistake put in: they find it there too.
    halved = world_readable_tmp / "halved"
    shutil.copytree(solutions, halved, ignore=shutil.ignore_patterns("__*"))
    source = (halved / "batch_gradient.py").read_text()
    (halved / "batch_gradient.py").write_text(source.replace("= 2.0 / n *", "= 1.0 / n *"))
    run = subprocess.run([grade, halved, "--suite", "hidden", "-o", report],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    feedback = " ".join(
        t["feedback"] for e in json.loads(report.read_text())["exercises"] for t in e["tests"]
        if t["function"] == "lr_gradient_descent"
    )  # fmt: skip
    assert "gradients are half those" in " ".join(feedback.split())

    handout = world_readable_tmp / "handout"
    run = subprocess.run([grade, "release", handout], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (handout / "exercises" / "sgd.py").read_bytes() == (stubs / "sgd.py").read_bytes()
    assert not (handout / "solutions").exists()
    run = subprocess.run([grade, "release", world_readable_tmp / "notebooks", "--notebooks"],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (world_readable_tmp / "notebooks" / "exercises" / "sgd.ipynb").is_file()

    bundle = world_readable_tmp / "autograder.zip"
    run = subprocess.run([grade, "gradescope", bundle], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    with zipfile.ZipFile(bundle) as zf:
        assert "grader/solutions/sgd.py" in zf.namelist()
