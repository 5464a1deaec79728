"""Fixtures of the instructor tests: the real `grade` in a subprocess, submissions, venvs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import jsonschema
import pytest

import exercises
import solutions
from grader.report import SCHEMA_FILE

GRADE = str(Path(sys.executable).with_name("grade"))
SOLUTIONS = Path(solutions.__file__).parent
STUBS = Path(exercises.__file__).parent
MODULES = ("batch_gradient.py", "sgd.py", "logistic_regression.py")


@pytest.fixture
def run_grade():
    """The real `grade` command: `run_grade(*args, cwd=..., timeout=...)` -> CompletedProcess."""

    def run(*args: str, cwd: Path | None = None, timeout: float = 120, env=None):
        return subprocess.run(
            [GRADE, *map(str, args)],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env=env,
        )

    return run


@pytest.fixture(scope="session")
def validate_report():
    """Validate a native report (a dict) against the shipped JSON Schema."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)

    def validate(document: dict) -> dict:
        validator.validate(document)
        return document

    return validate


@pytest.fixture
def make_submission():
    """`make_submission(folder, **{module_stem: source})`: the reference, with some files replaced.

    A value of None leaves that module out.
    """

    def make(folder: Path, **replaced: str | None) -> Path:
        folder.mkdir(parents=True)
        for name in MODULES:
            stem = name.removesuffix(".py")
            if stem not in replaced:
                shutil.copyfile(SOLUTIONS / name, folder / name)
            elif replaced[stem] is not None:
                (folder / name).write_text(replaced[stem], encoding="utf-8")
        return folder

    return make


@pytest.fixture
def world_readable_tmp():
    """A temporary folder that other users may enter (the grader's worker drops to `nobody`)."""
    folder = Path(tempfile.mkdtemp(prefix="gd-instructor-test-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fresh_venv(world_readable_tmp):
    """`fresh_venv(name)`: a new venv seeing this environment's packages, but not this project.

    The project itself is then installed into it by the test (a handout, a bundle): numpy,
    pytest and click come from here through a .pth line, so nothing is downloaded.
    """

    def make(name: str = "venv") -> Path:
        venv = world_readable_tmp / name
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        found = subprocess.run(
            [venv / "bin" / "python", "-c", where], capture_output=True, text=True, check=True
        )
        site = Path(found.stdout.strip())
        ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
        # Plain folders, not processed as site dirs: this project's editable hook stays out.
        (site / "_test_environment.pth").write_text("\n".join(sorted(ours)) + "\n")
        return venv

    return make


def pip_install(venv: Path, *args: str, cwd: Path | None = None) -> None:
    """pip (from this environment) installing into `venv`, without dependencies."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_REQUIRE")}
    result = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--no-deps", *args],
        cwd=cwd, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def pip():
    return pip_install
