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

from grader.instructor.gradescope import TEMPLATES

GRADE = str(Path(sys.executable).with_name("grade"))
SOLUTIONS = Path(__import__("solutions").__file__).parent
VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    run = subprocess.run([GRADE, "gradescope", path], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return path


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
    # A student who uploaded a folder, with a syntax error in one exercise.
    upload = root / "submission" / "my-work"
    upload.mkdir(parents=True)
    for name in ("batch_gradient.py", "logistic_regression.py"):
        (upload / name).write_bytes((SOLUTIONS / name).read_bytes())
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
    assert results["score"] == 20.0
    assert results["stdout_visibility"] == "hidden"
    assert results["extra_data"]["suite"] == "hidden"
    sgd = [t for t in results["tests"] if t["name"].startswith("sgd.")]
    assert sgd and all(t["score"] == 0 for t in sgd)
    assert "SyntaxError" in sgd[0]["output"] or "syntax" in sgd[0]["output"].lower()
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
