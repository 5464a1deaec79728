"""The portable sandbox (what Windows and macOS run), exercised here with GRADE_SANDBOX=portable.

The same promises that need no Linux feature: data-only answers, per-call timeouts that kill
the worker's whole tree (detached processes included), output caps, a fresh worker after a
crash, the submission folder restored, and a plain statement of what it cannot do.
"""

from __future__ import annotations

import os
import time

import psutil
import pytest

from grader.sandbox import limits
from grader.sandbox.client import Sandbox
from grader.sandbox.errors import CallTimeout, WorkerCrashed

TIMEOUT = 1.0

MODULE = """
import os, sys, time

def add(a, b):
    return a + b

def hang():
    while True:
        pass

def detach_and_hang(marker):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.environ["GD_MARKER"] = marker
            time.sleep(600)
        os._exit(0)
    time.sleep(600)

def leave():
    os._exit(3)

def say(n):
    print("call", n)
    sys.stderr.write("done %d\\n" % n)
    return n

def mute():
    print("\\0gd-sync:0123\\0 looks like the marker")
    sys.stdout.flush()
    os.close(1)
    os.close(2)
    return 1

def shout(n):
    sys.stdout.write("x" * n)
    return n
"""


@pytest.fixture
def portable(monkeypatch, write):
    monkeypatch.setenv("GRADE_SANDBOX", "portable")
    boxes = []

    def make(**modules):
        box = Sandbox(write(**modules), timeout=TIMEOUT)
        boxes.append(box)
        return box

    yield make
    for box in boxes:
        box.close()
        left = [p for p in psutil.process_iter() if (_token(p) or "").startswith(box.token)]
        assert left == []


def _token(process: psutil.Process) -> str | None:
    try:
        return process.environ().get(limits.TOKEN_VARIABLE)
    except psutil.Error:
        return None


def test_the_portable_sandbox_runs_calls_and_says_what_it_cannot_do(portable):
    box = portable(m=MODULE)
    assert box.call("m", "add", 2, 3).value == 5
    found = box.confinement
    assert found["mode"] == "portable" and found["filesystem"] is None
    assert not found["separate_user"] and not found["syscall_filter"]
    assert any("filesystem" in gap for gap in found["missing"])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks like a POSIX student's code")
def test_a_timeout_kills_the_whole_tree_detached_processes_included(portable):
    box = portable(m=MODULE)
    start = time.monotonic()
    with pytest.raises(CallTimeout):
        box.call("m", "detach_and_hang", "gd-portable-marker")
    assert time.monotonic() - start < TIMEOUT + 10
    time.sleep(0.2)
    assert box.call("m", "add", 1, 1).value == 2  # a fresh worker
    marked = [
        p for p in psutil.process_iter() if _environ(p).get("GD_MARKER") == "gd-portable-marker"
    ]
    assert marked == []


def _environ(process: psutil.Process) -> dict:
    try:
        return process.environ()
    except psutil.Error:
        return {}


def test_an_endless_loop_and_an_exit_mid_call_cost_only_their_call(portable):
    box = portable(m=MODULE)
    with pytest.raises(CallTimeout):
        box.call("m", "hang")
    with pytest.raises(WorkerCrashed, match="exited with status 3"):
        box.call("m", "leave")
    assert box.call("m", "add", 2, 2).value == 4


def test_what_each_call_printed_is_that_calls_output(portable):
    # The printed lines come on a pipe of their own, read by a thread: the answer must not
    # overtake them, or a failing test would show no output and the next one the wrong one.
    box = portable(m=MODULE)
    for n in range(150):
        assert box.call("m", "say", n).output == f"call {n}\ndone {n}\n"


def test_a_worker_that_closes_its_output_is_answered_at_once_after_one_wait(portable):
    box = portable(m=MODULE)
    assert "looks like the marker" in box.call("m", "mute").output
    start = time.monotonic()
    for n in range(20):
        assert box.call("m", "add", n, n).value == 2 * n
    assert time.monotonic() - start < 20 * 0.5  # not a wait for a marker on every call
    with pytest.raises(CallTimeout):
        box.call("m", "hang")
    assert box.call("m", "say", 1).output == "call 1\ndone 1\n"  # a fresh worker


def test_a_flood_of_output_is_capped(portable):
    box = portable(m=MODULE)
    result = box.call("m", "shout", 5_000_000)
    assert result.value == 5_000_000
    assert len(result.output) < 100_000 and "output cut" in result.output
