"""Issue 11: whether a call changed its arguments is what the grader saw, not the worker's word.

The grader puts each array argument of a call in a file of the worker's folder, the worker
maps it and hands the student's function an array on that memory, and after the call the grader
reads the file back through the descriptor it wrote it with. Patching the worker's own
comparison, or the answer it sends, changes nothing; neither does replacing the file (the
grader never opens it again by name).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from grader.sandbox.errors import WorkerCrashed

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

UPDATE = """
def update(w, b, dw, db, eta):
    w -= eta * dw
    return w, b - eta * db

def pure(w, b, dw, db, eta):
    return w - eta * dw, b - eta * db

def restore(w, b, dw, db, eta):
    saved = w.copy()
    w -= eta * dw
    new = w.copy()
    w[...] = saved
    return new, b - eta * db

def reshape_in_place(w, b, dw, db, eta):
    w.shape = (w.size,)
    return w, b
"""

#: At import: the worker's own verdict says "unchanged" for everything, and every answer of a
#: call is stripped of what it would have said changed (the hostile case `deny_mutation` does
#: the same through the worker's `send`).
SILENCE_THE_WORKER = """
import sys

_serve = sys.modules["_gd_worker.serve"]
_serve.changed = lambda a, before: False
_call = _serve.Worker.call

def _call_and_deny(self, header, blobs):
    answer, out = _call(self, header, blobs)
    return {**answer, "mutated": []}, out

_serve.Worker.call = _call_and_deny
"""

#: In the call: find the file the argument is mapped from and put a pristine copy in its place
#: (possible only where the worker is the grader's own user: the portable sandbox), then write
#: into the argument.
SWAP_THE_FILE = """
import os

def update(w, b, dw, db, eta):
    original = w.tobytes()
    with open("/proc/self/maps") as f:
        paths = {line.split(None, 5)[5].strip() for line in f if len(line.split(None, 5)) == 6}
    swapped = []
    for path in paths:
        if "/calls/" in path and os.path.isfile(path):
            data = open(path, "rb").read()
            try:
                os.unlink(path)
                with open(path, "wb") as f:
                    f.write(data)
                swapped.append(path)
            except OSError:
                pass
    w -= eta * dw
    return w, b - eta * db, len(swapped)
"""


@pytest.fixture(params=["confined", "portable"])
def box(request, monkeypatch, sandbox):
    if request.param == "portable":
        monkeypatch.setenv("GRADE_SANDBOX", "portable")
    return sandbox


def args():
    return np.ones((2, 1)), 0.0, np.ones((2, 1)), 1.0


def test_an_argument_changed_in_place_is_reported_by_position_or_keyword(box):
    sandbox = box(m=UPDATE)
    w, b, dw, db = args()
    assert sandbox.call("m", "update", w, b, dw, db, eta=0.5).mutated == (0,)
    assert np.array_equal(w, np.ones((2, 1)))  # the grader's own array never changes
    assert sandbox.call("m", "pure", w, b, dw, db, eta=0.5).mutated == ()
    assert sandbox.call("m", "update", w=w, b=b, dw=dw, db=db, eta=0.5).mutated == ("w",)
    # The same array twice is one array in the worker too: both names changed.
    assert sandbox.call("m", "update", w=w, b=b, dw=w, db=db, eta=1.0).mutated == ("w", "dw")


def test_values_put_back_before_returning_are_unchanged_for_the_caller(box):
    sandbox = box(m=UPDATE)
    result = sandbox.call("m", "restore", *args(), eta=0.5)
    assert result.mutated == ()
    assert np.array_equal(result.value[0], np.full((2, 1), 0.5))


def test_a_shape_changed_in_place_is_still_reported(box):
    assert box(m=UPDATE).call("m", "reshape_in_place", *args(), eta=0.5).mutated == (0,)


def test_a_worker_patched_to_deny_every_change_is_still_seen_changing_its_argument(box):
    sandbox = box(m=SILENCE_THE_WORKER + UPDATE)
    result = sandbox.call("m", "update", *args(), eta=0.5)
    assert np.array_equal(result.value[0], np.full((2, 1), 0.5))
    assert result.mutated == (0,)
    assert sandbox.call("m", "pure", *args(), eta=0.5).mutated == ()


def test_a_file_swapped_under_the_mapping_does_not_hide_the_change(request, box):
    sandbox = box(m=SWAP_THE_FILE + SILENCE_THE_WORKER)
    result = sandbox.call("m", "update", *args(), eta=0.5)
    assert result.mutated == (0,)
    if "portable" in request.node.name or not AS_ROOT:  # the same user: the swap happens
        assert result.value[2] == 1
    else:  # the folder is the grader's: the worker's user cannot replace the file
        assert result.value[2] == 0


LOCK_THE_FOLDER = """
import os

def lock():
    calls = os.path.join(os.environ["HOME"], os.pardir, "calls")
    try:
        os.rename(calls, calls + ".gone")
        open(calls, "w").close()  # a file where the folder was
        return "locked"
    except OSError as e:
        return type(e).__name__

def update(w, b, dw, db, eta):
    return w - eta * dw, b - eta * db
"""


def test_a_folder_locked_by_the_submission_is_its_problem_not_the_graders(request, box):
    sandbox = box(m=LOCK_THE_FOLDER)
    said = sandbox.call("m", "lock").value
    if "portable" in request.node.name or not AS_ROOT:  # the same user: it can
        assert said == "locked"
        with pytest.raises(WorkerCrashed, match="could not hand `update` its arguments"):
            sandbox.call("m", "update", *args(), eta=0.5)
    else:
        assert said == "PermissionError"
    # A fresh worker (a fresh folder) for the next call: it works.
    assert sandbox.call("m", "update", *args(), eta=0.5).mutated == ()
