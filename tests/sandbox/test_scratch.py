"""Scratch (issue 15): every grading's files live in one locked run folder, removed when the
grading ends; a run whose grading was killed is removed by the next grading, and a live
grading's run is never touched."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.sandbox import scratch
from grader.sandbox.client import Sandbox

HOLD = textwrap.dedent(
    """
    import sys, time
    from grader.sandbox import scratch
    run = scratch.Run()
    (run.root / "w1").mkdir()
    print(run.root, flush=True)
    time.sleep(float(sys.argv[1]))
    """
)


def _hold_a_run(seconds: float) -> tuple[subprocess.Popen, Path]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    root = Path(proc.stdout.readline().strip())
    assert root.is_dir()
    return proc, root


def test_a_closed_sandbox_leaves_no_scratch(write):
    with Sandbox(write(m="def f():\n    open('left.txt', 'w').write('x')\n")) as box:
        box.call("m", "f")
        run = box._run.root
        assert run.is_dir() and run.parent == scratch.base()
    assert not run.exists()


def test_the_run_of_a_killed_grading_goes_and_a_live_one_stays(write):
    live, live_root = _hold_a_run(60)
    dead, dead_root = _hold_a_run(60)
    try:
        dead.send_signal(signal.SIGKILL)
        dead.wait()
        assert dead_root.is_dir()  # nothing removes it at once ...
        with Sandbox(write(m="X = 1\n")):  # ... but the next grading does
            pass
        assert not dead_root.exists()
        assert live_root.is_dir() and (live_root / "w1").is_dir()
    finally:
        live.kill()
        live.wait()
    assert scratch.sweep_stale() and not live_root.exists()


def test_the_sweep_touches_nothing_but_runs(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "run-but-a-file").write_text("mine")
    young = tmp_path / "run-123-young"
    young.mkdir()  # no lock yet: being made right now
    old = tmp_path / "run-456-old"
    old.mkdir()
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert scratch.sweep_stale(tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "run-123-young",
                                                          "run-but-a-file"]  # fmt: skip


def test_a_run_is_removed_whatever_modes_the_submission_left_inside(tmp_path):
    run = scratch.Run()
    locked = run.new_folder() / "a" / "b"
    locked.mkdir(parents=True)
    (locked / "f").write_text("x")
    locked.chmod(0)
    locked.parent.chmod(0o500)
    run.remove()
    assert not run.root.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_scratch_folder_is_private():
    mode = scratch.base().stat().st_mode & 0o777
    assert mode in (0o700, 0o711)
