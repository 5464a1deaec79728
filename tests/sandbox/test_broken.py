"""Broken submissions: each fails with the right exception, and the other modules still work."""

from __future__ import annotations

import pytest

from grader.sandbox.errors import (
    CallTimeout,
    ImportFailed,
    StudentException,
    WorkerCrashed,
)

GOOD = """
def double(x):
    return 2 * x
"""


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import numpy\nraise ValueError('bad data file')\n", "ValueError: bad data file"),
        ("def predict(X, w, b):\n    return X @ w +\n", "SyntaxError"),
        ("import no_such_library\n", "ModuleNotFoundError"),
        ("import sys\nsys.exit(3)\n", "sys.exit(3)"),
        ("import os\nos._exit(7)\n", "exited with status 7"),
        ("import ctypes\nctypes.string_at(0)\n", "SIGSEGV"),
        ("import time\ntime.sleep(60)\n", "did not finish within"),
    ],
    ids=["raises", "syntax", "missing-import", "sys-exit", "os-exit", "segfault", "sleeps"],
)
def test_an_import_failure_is_reported_once_and_remembered(sandbox, source, expected):
    box = sandbox(broken=source, good=GOOD)
    with pytest.raises(ImportFailed) as first:
        box.call("broken", "predict", 1)
    assert expected in first.value.student_message()
    with pytest.raises(ImportFailed) as again:  # fails fast: the module is not imported again
        box.call("broken", "other", 1)
    assert str(again.value) == str(first.value)
    assert box.call("good", "double", 21).value == 42


def test_the_import_traceback_is_the_students_own(sandbox):
    box = sandbox(broken="x = 1\ny = x / 0\n")
    with pytest.raises(ImportFailed) as caught:
        box.call("broken", "f")
    assert caught.value.traceback.startswith("Traceback (most recent call last):\n")
    assert 'File "broken.py", line 2, in <module>' in caught.value.traceback
    assert "importlib" not in caught.value.traceback and "child.py" not in caught.value.traceback


CRASHES = """
import os, sys, ctypes

def segfault():
    ctypes.string_at(0)

def hard_exit():
    os._exit(5)

def soft_exit():
    sys.exit("bye")

def fails():
    raise KeyError("w")

def closes_the_channel():
    for fd in range(3, 20):
        try:
            os.close(fd)
        except OSError:
            pass
"""


@pytest.mark.parametrize(
    ("function", "error", "expected"),
    [
        ("segfault", WorkerCrashed, "SIGSEGV"),
        ("hard_exit", WorkerCrashed, "exited with status 5"),
        ("soft_exit", StudentException, "sys.exit('bye') was called"),
        ("fails", StudentException, "raised KeyError: 'w'"),
        ("closes_the_channel", WorkerCrashed, "The process running `closes_the_channel`"),
    ],
)
def test_a_call_that_fails_or_crashes_leaves_a_working_sandbox(sandbox, function, error, expected):
    box = sandbox(m=CRASHES, good=GOOD)
    assert box.call("good", "double", 1).value == 2
    with pytest.raises(error, match=expected.replace("(", r"\(").replace(")", r"\)")):
        box.call("m", function)
    assert box.call("good", "double", 2).value == 4
    with pytest.raises(error):  # run again: a crash may depend on the input
        box.call("m", function)
    if error is WorkerCrashed:  # but not a third time
        with pytest.raises(WorkerCrashed, match="die 2 times"):
            box.call("m", function)


LOOPS = """
import signal

def spins():
    while True:
        pass

def stubborn():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass

def fine(x):
    return x + 1
"""


@pytest.mark.parametrize("function", ["spins", "stubborn"])
def test_an_endless_call_times_out_once_then_fails_fast(sandbox, function):
    box = sandbox(m=LOOPS)
    with pytest.raises(CallTimeout, match="did not return within 1 s") as first:
        box.call("m", function)
    assert first.value.status == "timeout"
    with pytest.raises(CallTimeout, match="already took too long"):
        box.call("m", function)
    assert box.call("m", "fine", 1).value == 2  # same module, other function: runs


def test_a_worker_that_dies_between_calls_is_replaced_before_the_next_call(sandbox):
    box = sandbox(
        m="""
        import os, threading, time

        def later():
            threading.Thread(target=lambda: (time.sleep(0.2), os._exit(1)), daemon=True).start()

        def fine():
            return "ok"
        """
    )
    box.call("m", "later")
    import time

    time.sleep(0.5)
    assert box.call("m", "fine").value == "ok"
