"""`grade gradescope`: the bundle follows Gradescope's specification and grades on a simulated tree.

The test unpacks the bundle into a temporary `autograder/` folder laid out as Gradescope does
(source/, submission/, results/), runs `setup.sh` and `run_autograder` there with the paths
overridden, and reads results.json as Gradescope would.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.course import load_course
from grader.instructor.gradescope import TEMPLATES, scripts

GRADE = str(Path(sys.executable).with_name("grade"))
SOLUTIONS = Path(__import__("solutions").__file__).parent
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """A bundle whose hidden results students see once the instructor publishes the grades."""
    path = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    run = subprocess.run([GRADE, "gradescope", path, "--visibility", "after_published"],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "visibility after_published" in run.stdout
    return path


def test_the_visibility_is_one_of_gradescopes(tmp_path):
    run = subprocess.run([GRADE, "gradescope", tmp_path / "a.zip", "--visibility", "later"],
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 2 and "after_published" in run.stderr and "Traceback" not in run.stderr


def test_the_bundle_has_both_scripts_at_its_root_and_the_hidden_suite(bundle):
    with zipfile.ZipFile(bundle) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(infos[script].external_attr >> 16) & 0o111, f"{script} is executable"
    assert "pyproject.toml" in infos
    assert "grader/suites/hidden/conftest.py" in infos and "grader/solutions/sgd.py" in infos
    assert not [n for n in infos if n.startswith(("solutions/", "exercises/"))]
    assert not [n for n in infos if "__pycache__" in n or n.endswith(".pyc") or "/." in n]


def test_the_bundle_refuses_a_name_that_is_not_a_zip(tmp_path):
    run = subprocess.run([GRADE, "gradescope", tmp_path / "bundle.tar"], capture_output=True,
                         text=True)  # fmt: skip
    assert run.returncode == 2 and ".zip" in run.stderr


def _results_follow_the_specification(results: dict) -> None:
    assert isinstance(results["score"], (int, float))
    assert results.get("stdout_visibility", "hidden") in VISIBILITY
    for test in results["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output"}
        assert test.get("visibility", "visible") in VISIBILITY
        assert 0 <= test["score"] <= test["max_score"]


def test_run_autograder_grades_a_submission_on_a_simulated_autograder_tree(
    bundle, world_readable_tmp, fresh_venv
):
    root = world_readable_tmp / "autograder"
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    # A student who uploaded a folder, with a syntax error in one exercise, and a `gradients`
    # right for y of shape (n, 1) only (a 1-D y broadcasts to (n, n)).
    upload = root / "submission" / "my-work"
    upload.mkdir(parents=True)
    (upload / "logistic_regression.py").write_bytes((SOLUTIONS / "logistic_regression.py")
                                                    .read_bytes())  # fmt: skip
    reference = (SOLUTIONS / "batch_gradient.py").read_text()
    buggy = reference.replace("predict(X, w, b) - _column(y)", "predict(X, w, b) - np.asarray(y)")
    assert buggy != reference, "the reference changed: pick another mistake"
    (upload / "batch_gradient.py").write_text(buggy)
    (upload / "sgd.py").write_text("def sgd_step(x, y, w, b, eta)\n    return w, b\n")
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "GRADER_VENV": str(fresh_venv("venv")),  # sees numpy & co. through a .pth: no download
        "GRADER_BASE_PYTHON": sys.executable,
        "GRADER_VENV_ARGS": "--without-pip",
        "GRADER_SKIP_APT": "1",
    }
    setup = subprocess.run(["bash", root / "source" / "setup.sh"], env=env, capture_output=True,
                           text=True, timeout=300)  # fmt: skip
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert stat.S_IMODE((root / "source").stat().st_mode) & 0o077 == 0  # solutions: root only
    where = subprocess.run([Path(env["GRADER_VENV"]) / "bin" / "python", "-I", "-c",
                            "import grader; print(grader.__file__)"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    assert where.stdout.startswith(env["GRADER_VENV"])  # the bundle's grader, not this checkout

    results = _run_autograder(root, env)
    assert results["stdout_visibility"] == "hidden"
    assert results["extra_data"]["suite"] == "hidden"
    # One Gradescope test per function of course.toml, worth its whole points, all published
    # together with the grades.
    course = load_course()
    assert [t["name"] for t in results["tests"]] == [f"{m}.{f.name}" for m, f in course.functions()]
    assert [t["max_score"] for t in results["tests"]] == [f.points for _, f in course.functions()]
    assert all(isinstance(t["max_score"], int) for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == 25
    assert {t["visibility"] for t in results["tests"]} == {"after_published"}
    by_name = {t["name"]: t for t in results["tests"]}
    gradients = by_name["batch_gradient.gradients"]
    assert gradients["status"] == "failed" and 0 < gradients["score"] < gradients["max_score"]
    assert "checks passed. What did not:" in gradients["output"]
    sgd = [t for t in results["tests"] if t["name"].startswith("sgd.")]
    assert sgd and all(t["score"] == 0 for t in sgd)
    assert "SyntaxError" in sgd[0]["output"] or "syntax" in sgd[0]["output"].lower()
    assert 10 < results["score"] < 20  # logistic regression's 10, part of batch_gradient's
    for test in results["tests"]:  # what students see: no grader paths, no suite code
        assert "grader/suites" not in test["output"] and "def test_" not in test["output"]
        assert str(root / "source") not in test["output"]

    # The same autograder, a notebook upload (issue 14): graded as the modules would be.
    shutil.rmtree(root / "submission")
    upload = root / "submission" / "my-notebooks"
    upload.mkdir(parents=True)
    studentlike = _studentlike()
    for name in ("batch_gradient", "sgd"):
        text = studentlike.student_notebook(name, (SOLUTIONS / f"{name}.py").read_text())
        (upload / f"{name}.ipynb").write_text(text)
    shutil.copyfile(SOLUTIONS / "logistic_regression.py", upload / "logistic_regression.py")
    (root / "results" / "results.json").unlink()
    results = _run_autograder(root, env)
    assert results["score"] == 25.0
    assert "sgd.ipynb" in results["output"] and "batch_gradient.ipynb" in results["output"]


def _run_autograder(root: Path, env: dict) -> dict:
    """Gradescope's run of `run_autograder` on the simulated tree; its results.json, checked."""
    run = subprocess.run(["bash", root / "source" / "run_autograder"], env=env, cwd=root,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    _results_follow_the_specification(results)
    return results


def _studentlike():
    """tests/notebooks/studentlike.py: notebooks written the ways students write them."""
    path = Path(__file__).parents[1] / "notebooks" / "studentlike.py"
    spec = importlib.util.spec_from_file_location("_studentlike_for_gradescope", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_run_autograder_always_leaves_a_results_file(world_readable_tmp):
    """Even when the grader cannot run at all, Gradescope gets a result that says so."""
    root = world_readable_tmp / "autograder"
    (root / "submission").mkdir(parents=True)
    script = world_readable_tmp / "run_autograder"
    script.write_bytes((TEMPLATES / "run_autograder").read_bytes())
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_VENV": str(root / "missing")}
    run = subprocess.run(["bash", script], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    results = json.loads((root / "results" / "results.json").read_text())
    _results_follow_the_specification(results)
    assert results["score"] == 0 and "not your fault" in results["output"]


def test_setup_refuses_a_python_older_than_the_grader_needs_in_one_line(world_readable_tmp):
    """Gradescope's Ubuntu 20.04 image has Python 3.8: say so, and which image to choose.

    No Python 3.8 runs here, so a stand-in answers as one would: the version check fails and
    `--version` says 3.8.10.
    """
    old = world_readable_tmp / "python3.8"
    old.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.8.10" && exit 0\nexit 1\n')
    old.chmod(0o755)
    setup = world_readable_tmp / "setup.sh"
    setup.write_text(scripts(visibility="hidden", per_check=False)["setup.sh"])
    env = {**os.environ, "AUTOGRADER_ROOT": str(world_readable_tmp), "GRADER_SKIP_APT": "1",
           "GRADER_BASE_PYTHON": str(old)}  # fmt: skip
    run = subprocess.run(["bash", setup], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    (line,) = run.stderr.splitlines()
    assert "Python 3.10 or newer" in line and "Python 3.8.10" in line and "22.04" in line
    assert not (world_readable_tmp / "venv").exists()
