"""Golden tests of issue 15 through the real CLI: whatever stops a grading, its scratch goes,
and a grading running at the same time is untouched."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.sandbox import scratch

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
GRADE = str(Path(sys.executable).with_name("grade"))
SLEEPY = (SOLUTIONS / "sgd.py").read_text() + (
    "\n\ndef sgd_step(x, y, w, b, eta):\n    import time\n    time.sleep(600)\n"
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and flock")


@pytest.fixture
def own_tmp(tmp_path, monkeypatch):
    """A TMPDIR of this test's own: its scratch folder holds only what these gradings make.
    (`tmp_path` first: pytest settles its own folder before TMPDIR moves.)"""
    folder = Path(tempfile.mkdtemp())  # beside pytest's own (0700) folder: workers pass through
    folder.chmod(0o711)
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def runs(tmp: Path) -> list[Path]:
    return sorted(tmp.glob(f"{scratch.PREFIX}*/{scratch.RUN_PREFIX}*"))


def submission(folder: Path, **sources: str) -> Path:
    folder.mkdir(parents=True)
    for name in ("batch_gradient", "sgd", "logistic_regression"):
        (folder / f"{name}.py").write_text(
            sources.get(name, (SOLUTIONS / f"{name}.py").read_text())
        )
    return folder


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_a_grade_killed_mid_grading_leaves_scratch_the_next_grade_removes(own_tmp, tmp_path):
    slow = submission(tmp_path / "slow", sgd=SLEEPY)
    other = submission(tmp_path / "other")
    killed = subprocess.Popen([GRADE, str(slow), "--timeout", "60"], start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    wait_for(lambda: len(runs(own_tmp)) == 1)
    stale = runs(own_tmp)[0]
    time.sleep(1.0)  # well inside sgd_step's sleep
    os.killpg(killed.pid, signal.SIGKILL)  # grade and whatever it started
    killed.wait()
    assert stale.is_dir()  # nothing removed it: the grading could not
    # The next grade removes the stale run as it starts ...
    live = subprocess.Popen([GRADE, str(slow), "--timeout", "60"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for(lambda: [p for p in runs(own_tmp) if p != stale])
        live_run = next(p for p in runs(own_tmp) if p != stale)
        wait_for(lambda: not stale.exists())
        # ... and a grading running meanwhile keeps its run while others come and go.
        done = subprocess.run([GRADE, str(other), "--suite", "hidden"], capture_output=True,
                              text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0 and "Total: 25 / 25" in done.stdout
        assert live_run.is_dir() and any(live_run.glob("w*/submission/sgd.py"))
    finally:
        os.killpg(live.pid, signal.SIGKILL)
        live.wait()
    scratch.sweep_stale(next(own_tmp.glob(f"{scratch.PREFIX}*")))
    assert runs(own_tmp) == []


def test_a_batch_leaves_no_scratch_after_its_wall_limit_or_a_killed_grading_process(
    own_tmp, tmp_path
):
    folder = tmp_path / "class"
    submission(folder / "slow", sgd=SLEEPY)
    submission(folder / "honest")
    out = tmp_path / "out"
    run = subprocess.run(
        [GRADE, "batch", str(folder), "-o", str(out), "--suite", "hidden", "--timeout", "60",
         "--wall-limit", "15", "--jobs", "1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "slow: timeout" in run.stdout
    honest = json.loads((out / "reports" / "honest.json").read_text())
    assert honest["score"] == 25, honest["grader_errors"]
    assert runs(own_tmp) == []

    # A grading process killed from outside: the batch retries, and its scratch goes too.
    out2 = tmp_path / "out2"
    batch = subprocess.Popen(
        [GRADE, "batch", str(folder), "-o", str(out2), "--suite", "hidden", "--timeout", "60",
         "--wall-limit", "30", "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: any(runs(own_tmp)), 120)
        time.sleep(1.0)
        holders = _grading_processes(batch.pid)
        assert holders
        for pid in holders:
            os.kill(pid, signal.SIGKILL)
        batch.wait(timeout=300)
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    assert runs(own_tmp) == []


def _grading_processes(parent: int) -> list[int]:
    import psutil

    try:
        return [p.pid for p in psutil.Process(parent).children()
                if "grading_process" in " ".join(p.cmdline())]  # fmt: skip
    except psutil.Error:
        return []
