"""Shared by every test folder: a session's own scratch, checked for leaks at the end;
submissions graded once per session by the real `grade` command; and `grade` run by a normal
user (`normal_user`, see tests/normal_user.py), in folders that user may enter (`world_tmp`).

tests/e2e/test_golden_mistakes.py and tests/feedback/test_diagnoses_e2e.py grade many of the same
submissions (the golden mistakes of tests/cases/mistakes.toml) with `grade DIR --suite hidden -o
report.json`. The `graded_submissions` fixture runs `grade` in a subprocess once for each distinct
(submission files, command-line options) and hands every test that asks the same result.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

#: A bound on one `grade` run, so that a hang fails its tests instead of blocking CI.
RUN_LIMIT = 180
#: `grade` runs started at once (two suit the 2-core CI machine: measured, see the commit).
WORKERS = 2

_spec = importlib.util.spec_from_file_location(
    "gd_tests_normal_user", Path(__file__).with_name("normal_user.py")
)
normal_user_setup = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = normal_user_setup  # dataclasses look their module up by name
_spec.loader.exec_module(normal_user_setup)


def grade_command() -> list[str]:
    """The installed `grade` script (the one next to this interpreter, else the one on PATH)."""
    beside = Path(sys.executable).with_name("grade")
    found = str(beside) if beside.exists() else shutil.which("grade")
    return [found] if found else [sys.executable, "-m", "grader"]


@dataclass(frozen=True)
class Run:
    """One run of `grade`: exit status, terminal output and report text (None if not written)."""

    returncode: int
    stdout: str
    stderr: str
    report_text: str | None

    @property
    def report(self) -> dict | None:
        """A fresh copy of the report for each caller, so no test can change another's."""
        return None if self.report_text is None else json.loads(self.report_text)


Sources = dict[str, str]  # file name -> text


class GradedSubmissions:
    """`get(files, "--suite", "hidden")`: the `grade` run of those files with those options.

    A run is keyed by a digest of the files and the options; each key is graded once per session,
    in its own folder under `root`, with `-o <report>` added to the options.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runs: dict[str, Run] = {}

    @staticmethod
    def key(files: Sources, options: tuple[str, ...]) -> str:
        text = json.dumps([sorted(files.items()), list(options)])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]

    def get(self, files: Sources, *options: str) -> Run:
        return self.get_many([(files, options)])[0]

    def get_many(self, wanted: list[tuple[Sources, tuple[str, ...]]]) -> list[Run]:
        """The runs of all `wanted` (files, options); those not yet graded run `WORKERS` at once."""
        keys = [self.key(files, tuple(options)) for files, options in wanted]
        todo = {
            k: (files, tuple(options))
            for k, (files, options) in zip(keys, wanted, strict=True)
            if k not in self.runs
        }
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            futures = {k: pool.submit(self._grade, k, *v) for k, v in todo.items()}
            self.runs.update({k: future.result() for k, future in futures.items()})
        return [self.runs[k] for k in keys]

    def _grade(self, key: str, files: Sources, options: tuple[str, ...]) -> Run:
        folder = self.root / key
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        out = self.root / f"{key}.json"
        command = [*grade_command(), str(folder), *options, "-o", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=RUN_LIMIT,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})  # fmt: skip
        report = out.read_text(encoding="utf-8") if out.exists() else None
        return Run(done.returncode, done.stdout, done.stderr, report)


@pytest.fixture(scope="session", autouse=True)
def no_scratch_is_left_behind():
    """The session's temporary files (and so every `grade`'s scratch, `<tmp>/gd-autograder-*`)
    live in one folder of its own; when the session ends, no grading's run may be left there
    (issue 15: whatever stops a grading, its scratch goes)."""
    root = Path(tempfile.mkdtemp(prefix="gd-test-session-"))
    root.chmod(0o711)  # as root, the workers' uids pass through to their own folders
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(root)
    tempfile.tempdir = None
    yield root
    if saved is None:
        del os.environ["TMPDIR"]
    else:
        os.environ["TMPDIR"] = saved
    tempfile.tempdir = None
    left = scratch_left(root)
    shutil.rmtree(root, ignore_errors=True)
    assert not left, f"gradings of this session left their scratch behind: {left}"


def scratch_left(tmp: Path) -> list[str]:
    """The gradings' runs left in the scratch of every user under the temporary folder `tmp`."""
    from grader.sandbox import scratch

    return sorted(str(p) for p in tmp.glob(f"{scratch.PREFIX}*/{scratch.RUN_PREFIX}*"))


@pytest.fixture(scope="session")
def graded_submissions(tmp_path_factory) -> GradedSubmissions:
    return GradedSubmissions(tmp_path_factory.mktemp("graded"))


@pytest.fixture(scope="session")
def normal_user(no_scratch_is_left_behind):
    """`grade` as user nobody (tests/normal_user.py), installed once per session; skips where
    this machine cannot run it. Its gradings may leave no scratch behind either."""
    reason = normal_user_setup.unavailable()
    if reason:
        pytest.skip(reason)
    where = Path(tempfile.mkdtemp(prefix="gd-normal-user-"))
    user = normal_user_setup.install(where)
    yield user
    left = scratch_left(user.home)
    shutil.rmtree(where, ignore_errors=True)
    assert not left, f"gradings as a normal user left their scratch behind: {left}"


@pytest.fixture
def world_tmp():
    """A folder a normal user can enter (pytest's tmp_path is root's own)."""
    folder = Path(tempfile.mkdtemp(prefix="gd-world-"))
    folder.chmod(0o755)
    yield folder
    subprocess.run(["chmod", "-R", "u+rwx", str(folder)], check=False)
    shutil.rmtree(folder, ignore_errors=True)
