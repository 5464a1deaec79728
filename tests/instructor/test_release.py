"""`grade release`: the handout holds what students need and nothing of the answers or the scoring.

The leak test searches the handout folder and its zip for the body of every function of
`solutions/` and for the name and title of every hidden test; then the handout is installed
into a fresh virtual environment and its own `grade` is run there.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.instructor import release, source

ROOT = source.ROOT
HIDDEN = ROOT / "grader" / "suites" / "hidden"
PUBLIC = ROOT / "grader" / "suites" / "public"


def _normalise(text: str) -> str:
    """Lines stripped of indentation, without blank and comment-only lines."""
    lines = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line and not line.startswith("#"))


def solution_bodies() -> dict[str, str]:
    """`{"module.function": normalised body}` of each function of solutions/, without docstring."""
    bodies = {}
    for path in sorted((ROOT / "solutions").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body = node.body
                if ast.get_docstring(node) is not None:
                    body = body[1:]
                if body:
                    segment = "\n".join(lines[body[0].lineno - 1 : node.end_lineno])
                    bodies[f"{path.stem}.{node.name}"] = _normalise(segment)
    return bodies


def suite_test_names(folder: Path) -> set[str]:
    """Names and docstring titles of the test functions of a suite folder."""
    found = set()
    for path in folder.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found.add(node.name)
                doc = (ast.get_docstring(node) or "").strip().splitlines()
                if doc:
                    found.add(doc[0].strip())
    return found


def hidden_only_names() -> set[str]:
    """Hidden tests' names and titles, less those the public suite shows anyway."""
    public = suite_test_names(PUBLIC)
    public_text = "\n".join(p.read_text(encoding="utf-8") for p in PUBLIC.glob("*.py"))
    return {n for n in suite_test_names(HIDDEN) - public if n not in public_text}


def handout_texts(folder: Path, archive: Path) -> dict[str, str]:
    """Every file of the handout folder and of its zip, as text."""
    texts = {
        f"{p.relative_to(folder)}": p.read_bytes().decode("utf-8", "replace")
        for p in folder.rglob("*")
        if p.is_file()
    }
    with zipfile.ZipFile(archive) as zf:
        for name in zf.namelist():
            texts[f"zip:{name}"] = zf.read(name).decode("utf-8", "replace")
    return texts


@pytest.fixture(scope="module", params=["modules", "notebooks"])
def handout(request, tmp_path_factory):
    """The handout, with the exercises as stub modules, then as notebooks (`--notebooks`)."""
    out = tmp_path_factory.mktemp("release") / "gd-handout"
    grade = Path(sys.executable).with_name("grade")
    extra = ["--notebooks"] if request.param == "notebooks" else []
    result = subprocess.run([grade, "release", out, "--zip", "--workflow", *extra],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out, out.with_name("gd-handout.zip")


def _exercise_files(folder: Path) -> set[str]:
    suffix = ".ipynb" if (folder / "exercises" / "sgd.ipynb").exists() else ".py"
    return {f"exercises/{m}{suffix}" for m in ("batch_gradient", "sgd", "logistic_regression")}


def test_the_solutions_and_the_hidden_tests_are_found_by_the_search():
    """The search below is not vacuous: it knows bodies and names to look for, and finds them."""
    bodies, names = solution_bodies(), hidden_only_names()
    assert len(bodies) >= 14 and len(names) >= 30
    own = _normalise((ROOT / "solutions" / "batch_gradient.py").read_text(encoding="utf-8"))
    assert bodies["batch_gradient.gradients"] in own
    hidden_text = "\n".join(p.read_text(encoding="utf-8") for p in HIDDEN.glob("test_*.py"))
    assert all(name in hidden_text for name in names)


def test_no_solution_body_and_no_hidden_test_in_the_handout_or_its_zip(handout):
    folder, archive = handout
    texts = {name: _normalise(text) for name, text in handout_texts(folder, archive).items()}
    raw = handout_texts(folder, archive)
    for function, body in solution_bodies().items():
        leaks = [name for name, text in texts.items() if body in text]
        assert not leaks, f"the body of solutions.{function} is in {leaks}"
    for name in hidden_only_names():
        leaks = [f for f, text in raw.items() if re.search(re.escape(name), text)]
        assert not leaks, f"hidden test {name!r} is named in {leaks}"


def test_the_handout_holds_what_students_need_and_no_instructor_file(handout):
    folder, archive = handout
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    needed = {"README.md", "pyproject.toml", ".gitignore", "grader/course.toml",
              "grader/datasets.py", "grader/suites/pytest.ini", release.WORKFLOW,
              "grader/suites/public/__init__.py", *_exercise_files(folder)}  # fmt: skip
    assert needed <= files
    for path in files:
        assert not re.search(r"(^|/)(solutions|hidden|instructor|\.git)(/|$)", path), path
        assert not path.endswith((".pyc", ".pyo")) and "__pycache__" not in path
        assert "egg-info" not in path and path != "grader/feedback/variants.py"
    with zipfile.ZipFile(archive) as zf:
        assert sorted(n.removeprefix("gd-handout/") for n in zf.namelist()) == sorted(files)
        assert all(i.date_time == source.ZIP_DATE for i in zf.infolist())
    assert release.check_handout(folder) == []
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert 'python -m pip install -e ".[plot,watch]"' in readme and "py -m venv .venv" in readme
    assert "`grade`" in readme and "$" not in readme


def test_every_module_is_either_handed_out_or_instructor_only():
    """A new module of the grader is a decision: list it in HANDOUT_FILES or INSTRUCTOR_ONLY."""
    everything = set(source.collect(["grader/**/*.py", "solutions/**/*", "exercises/**/*"]))
    handed_out = set(source.collect(release.HANDOUT_FILES))
    private = set(source.collect(release.INSTRUCTOR_ONLY))
    assert not handed_out & private
    unclassified = sorted(str(p) for p in everything - handed_out - private)
    assert not unclassified, f"add these to HANDOUT_FILES or INSTRUCTOR_ONLY: {unclassified}"


def test_release_refuses_a_folder_that_is_not_empty(tmp_path, run_grade):
    (tmp_path / "old.txt").write_text("keep me")
    result = run_grade("release", tmp_path)
    assert result.returncode == 2 and "not an empty folder" in result.stderr
    assert (tmp_path / "old.txt").read_text() == "keep me"


def test_the_installed_handout_grades_with_the_public_suite_and_refuses_the_hidden_one(
    handout, fresh_venv, pip, world_readable_tmp
):
    folder, _ = handout
    # A copy in a folder the worker's user may enter (pytest's tmp_path is private to root).
    copy = world_readable_tmp / "student"
    subprocess.run(["cp", "-r", str(folder), str(copy)], check=True)
    venv = fresh_venv()
    pip(venv, "-e", ".", cwd=copy)
    grade = str(venv / "bin" / "grade")
    where = subprocess.run([venv / "bin" / "python", "-c", "import grader; print(grader.__file__)"],
                           cwd=world_readable_tmp, capture_output=True, text=True)  # fmt: skip
    assert where.stdout.strip().startswith(str(copy))
    # The student's first run: the stubs, the public suite, a complete report.
    run = subprocess.run([grade, "-o", "report.json"], cwd=copy, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Total: 0 / 25" in run.stdout
    assert '"suite": "public"' in (copy / "report.json").read_text()
    assert '"grader_errors": []' in (copy / "report.json").read_text()
    if (copy / "exercises" / "sgd.ipynb").exists():
        _notebooks_filled_in_get_full_marks(grade, copy)
    hidden = subprocess.run([grade, "--suite", "hidden"], cwd=copy, capture_output=True, text=True)
    assert hidden.returncode == 2
    assert "hidden suite is not part of this copy" in hidden.stderr
    assert "Traceback" not in hidden.stderr
    for verb in ("batch . -o out", "release out", "gradescope out.zip"):
        refused = subprocess.run([grade, *verb.split()], cwd=copy, capture_output=True, text=True)
        assert refused.returncode == 2 and "instructor" in refused.stderr
    helptext = subprocess.run([grade, "--help"], cwd=copy, capture_output=True, text=True).stdout
    assert "grade batch" not in helptext and "grade gradescope" not in helptext
    # What pip made from the handout lists only the handout's own files.
    for info in copy.glob("*.egg-info/SOURCES.txt"):
        assert not re.search(r"solutions|hidden|instructor|variants", info.read_text())


def _notebooks_filled_in_get_full_marks(grade: str, copy: Path) -> None:
    """The notebook handout filled in with the reference: full marks from the public suite."""
    spec = importlib.util.spec_from_file_location(
        "_studentlike_for_release", ROOT / "tests" / "notebooks" / "studentlike.py"
    )
    studentlike = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(studentlike)
    for module in ("batch_gradient", "sgd", "logistic_regression"):
        path = copy / "exercises" / f"{module}.ipynb"
        solution = (ROOT / "solutions" / f"{module}.py").read_text(encoding="utf-8")
        path.write_text(studentlike.fill_in(path.read_text(), solution), encoding="utf-8")
    run = subprocess.run([grade, "-o", "full.json"], cwd=copy, capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Total: 25 / 25" in run.stdout, run.stdout
