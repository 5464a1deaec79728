"""End-to-end helpers: build submissions from the reference and run the real `grade` command.

The hostile cases' casebook (tests/cases/hostile/casebook.py: not a package, its folder holds
hostile modules) is loaded here once, by its path, as the module `hostile_casebook`: the test
modules here `import hostile_casebook as casebook`.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest

from grader.report import SCHEMA_FILE

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
MODULES = ("batch_gradient", "sgd", "logistic_regression")
#: A bound on any single `grade` run in these tests, so that a hang fails instead of blocking CI.
RUN_LIMIT = 180
#: The installed console script, as students and CI run it. (`python -m grader` would put the
#: current folder first on sys.path, which is not how `grade` runs.)
GRADE = shutil.which("grade", path=str(Path(sys.executable).parent)) or shutil.which("grade")

if "hostile_casebook" not in sys.modules:
    _spec = importlib.util.spec_from_file_location(
        "hostile_casebook", ROOT / "tests" / "cases" / "hostile" / "casebook.py"
    )
    _casebook = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _casebook  # dataclasses look their module up by name
    _spec.loader.exec_module(_casebook)


@pytest.fixture(scope="module")
def checkout_modes_kept():
    """Put back, after the module's tests, the modes of this checkout's top-level entries and
    instructor-only folders, which a grading as root without Landlock makes root's only (the
    fallback): the checkout is everybody's, and later tests run as other users."""
    from grader.sandbox import limits

    paths = [*ROOT.iterdir(), *limits.protected_folders()]
    before = {p: p.stat().st_mode & 0o7777 for p in paths}
    yield
    for path, mode in before.items():
        if path.exists() and path.stat().st_mode & 0o7777 != mode:
            path.chmod(mode)


@dataclass
class Graded:
    """One run of `grade`: its exit status, its terminal output and its report (if written)."""

    returncode: int
    stdout: str
    stderr: str
    report: dict | None

    def exercise(self, name: str) -> dict:
        return next(e for e in self.report["exercises"] if e["name"] == name)

    def function_tests(self, exercise: str, function: str) -> list[dict]:
        return [t for t in self.exercise(exercise)["tests"] if t["function"] == function]


@pytest.fixture(scope="session")
def report_validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture
def grade(tmp_path, report_validator):
    """Run the real `grade` command in a subprocess; validate the report it writes."""

    def run(*args: str, cwd: Path | None = None, report: bool = True) -> Graded:
        out = tmp_path / f"report-{len(list(tmp_path.glob('report-*.json')))}.json"
        assert GRADE, "the grade command is installed (pip install -e .)"
        command = [GRADE, *args] + (["-o", str(out)] if report else [])
        done = subprocess.run(
            command, cwd=cwd or tmp_path, capture_output=True, text=True, timeout=RUN_LIMIT
        )
        assert "Traceback" not in done.stderr, done.stderr
        document = None
        if report and out.exists():
            document = json.loads(out.read_text(encoding="utf-8"))
            if "schema_version" in document:
                report_validator.validate(document)
        return Graded(done.returncode, done.stdout, done.stderr, document)

    return run


@pytest.fixture
def submission(tmp_path):
    """A submission folder made from the reference, with some modules replaced or edited.

    `submission(sgd="...source...")` replaces a module; `submission(edits={"sgd": [(old, new)]})`
    applies text edits (each must match exactly once); `missing=("sgd",)` leaves a file out.
    """
    counter = iter(range(1_000_000))

    def make(edits: dict | None = None, missing: tuple[str, ...] = (), **sources: str) -> Path:
        folder = tmp_path / f"submission-{next(counter)}"
        folder.mkdir()
        for module in MODULES:
            if module in missing:
                continue
            text = sources.get(module) or (SOLUTIONS / f"{module}.py").read_text(encoding="utf-8")
            for old, new in (edits or {}).get(module, []):
                assert text.count(old) == 1, f"edit {old!r} must match once in {module}.py"
                text = text.replace(old, new)
            (folder / f"{module}.py").write_text(text, encoding="utf-8")
        return folder

    return make


def copy_reference(to: Path) -> Path:
    """A plain copy of the reference solutions (without __init__.py), as a student would submit."""
    to.mkdir(parents=True, exist_ok=True)
    for module in MODULES:
        shutil.copy(SOLUTIONS / f"{module}.py", to / f"{module}.py")
    return to
