"""Hostile submissions: exhausting resources, escaping the process tree, attacking the grader.

Each one ends by itself (the timeout is 1 s) and leaves no process behind: the `sandbox` fixture
checks /proc for the sandbox's processes after closing it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from grader.sandbox import proctree
from grader.sandbox.errors import CallTimeout, StudentException

linux_only = pytest.mark.skipif(not proctree.HAVE_PROC, reason="needs Linux /proc")

GOOD = """
def double(x):
    return 2 * x
"""


def test_a_huge_allocation_is_a_memory_error(sandbox):
    box = sandbox(
        m="""
        import numpy as np

        def allocate():
            return np.ones((100_000, 100_000)).sum()   # 80 GB

        def grow():
            blocks = []
            while True:
                blocks.append(np.empty(100 << 20, dtype=np.uint8))
        """,
        good=GOOD,
    )
    with pytest.raises(StudentException, match="MemoryError|Unable to allocate"):
        box.call("m", "allocate")
    with pytest.raises(StudentException, match="MemoryError|Unable to allocate"):
        box.call("m", "grow")
    assert box.call("good", "double", 4).value == 8


def test_printing_200_megabytes_is_cut_and_does_not_block(sandbox):
    box = sandbox(
        timeout=20,  # it takes a fraction of a second, but the machine may be busy
        m="""
        import os

        def shout():
            line = "x" * (1 << 20)
            for _ in range(200):
                print(line)
            os.write(2, b"y" * (1 << 20))
            return "done"
        """,
    )
    result = box.call("m", "shout")
    assert result.value == "done"
    assert len(result.output) < 70_000
    assert result.output.rstrip().endswith("more not shown ...]")
    assert "201.0 MB" in result.output or "200.9 MB" in result.output


@linux_only
def test_a_fork_bomb_is_bounded_and_entirely_killed(sandbox):
    box = sandbox(
        m="""
        import os

        def bomb():
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        """,
        good=GOOD,
    )
    with pytest.raises(CallTimeout):
        box.call("m", "bomb")
    assert box.call("good", "double", 5).value == 10


DETACH = """
import os, time

def detach():
    r, w = os.pipe()
    if os.fork() == 0:
        os.setsid()
        pid = os.fork()
        if pid == 0:
            time.sleep(600)
        os.write(w, str(pid).encode())
        os._exit(0)
    os.close(w)
    return os.getpid(), int(os.read(r, 100))
"""


@linux_only
def test_a_detached_double_forked_process_is_killed(sandbox, leftovers):
    box = sandbox(m=DETACH, good=GOOD)
    worker, sleeper = box.call("m", "detach").value
    time.sleep(0.1)
    assert sleeper in leftovers(box)
    assert sleeper not in proctree.descendants(worker)  # detached: not below the worker any more
    assert box.call("good", "double", 1).value == 2
    box.close()
    assert leftovers(box) == []


GRADER_THAT_DIES = """
import sys, time
from grader.sandbox.client import Sandbox

box = Sandbox(sys.argv[1])
worker, sleeper = box.call("m", "detach").value
print(box.worker_info["pid"], sleeper, flush=True)
time.sleep(60)
"""


@linux_only
def test_when_the_grading_process_is_killed_its_worker_tree_dies_too(write):
    folder = write(m=DETACH)
    grading = subprocess.Popen(
        [sys.executable, "-c", GRADER_THAT_DIES, str(folder)], stdout=subprocess.PIPE, text=True
    )
    worker, sleeper = map(int, grading.stdout.readline().split())
    reaper = proctree.processes()[worker][0]
    grading.kill()  # no clean-up code of the grader runs
    grading.wait()
    grading.stdout.close()
    tree = (reaper, worker, sleeper)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(pid) for pid in tree):
        time.sleep(0.05)
    assert not any(alive(pid) for pid in tree)
    for pid in tree:  # we may have adopted the reaper (we are a subreaper too): reap it
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def alive(pid: int) -> bool:
    entry = proctree.processes().get(pid)
    return entry is not None and entry[1] != "Z"


@linux_only
def test_a_process_left_running_is_killed_when_a_call_times_out(sandbox, leftovers):
    box = sandbox(
        m="""
        import subprocess, sys, time, os

        def spawn_and_hang():
            if os.fork() == 0:
                os.setsid()
                while True:
                    time.sleep(1)
            while True:
                time.sleep(1)

        def pid():
            return os.getpid()
        """
    )
    with pytest.raises(CallTimeout):
        box.call("m", "spawn_and_hang")
    fresh = box.call("m", "pid").value
    fresh_tree = {fresh, proctree.processes()[fresh][0]}  # the new worker and its reaper
    assert set(leftovers(box)) == fresh_tree  # the old tree is gone


def test_reading_stdin_gets_end_of_file(sandbox):
    box = sandbox(
        m="""
        def ask():
            return input("eta? ")
        """
    )
    with pytest.raises(StudentException, match="EOFError"):
        box.call("m", "ask")


def test_a_huge_file_cannot_be_written(sandbox):
    box = sandbox(
        m="""
        def fill():
            with open("big.bin", "wb") as f:
                for _ in range(100):
                    f.write(bytes(1 << 20))
        """
    )
    with pytest.raises(StudentException, match="File too large|EFBIG|OSError"):
        box.call("m", "fill")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_the_grading_process_cannot_be_signalled_or_read(sandbox):
    box = sandbox(
        m="""
        import os, signal

        def attack(pid):
            results = []
            for target in (pid, os.getppid()):
                try:
                    os.kill(target, signal.SIGKILL)
                    results.append("killed")
                except PermissionError:
                    results.append("refused")
            try:
                open(f"/proc/{pid}/environ", "rb").read()
                results.append("read")
            except PermissionError:
                results.append("refused")
            return results
        """
    )
    assert box.call("m", "attack", os.getpid()).value == ["refused", "refused", "refused"]


def test_a_submission_that_ignores_every_signal_at_import_still_ends(sandbox):
    box = sandbox(
        m=f"""
        import signal, time
        for s in ({int(signal.SIGTERM)}, {int(signal.SIGINT)}, {int(signal.SIGHUP)}):
            signal.signal(s, signal.SIG_IGN)

        def nap():
            time.sleep(30)
        """
    )
    with pytest.raises(CallTimeout):
        box.call("m", "nap")
