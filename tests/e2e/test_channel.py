"""Issue 11: student A, graded first in a batch, cannot hand student B anything.

A is correct and, at import, leaves its answers everywhere a later process could look: files
in /tmp, /var/tmp, /dev/shm and /run/lock, the kernel keyring, System V message queues and
shared memory, an abstract Unix socket served by a detached process, its own home. B wrote
nothing of its own: at import it looks in all those places, and answers with what it finds.
Graded in one batch with one job (so the same grading process, and before this issue the same
uid, serves both), B must find nothing and score what its own code earns: zero.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader.sandbox.worker import seccomp

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
GRADE = str(Path(sys.executable).with_name("grade"))

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux's shared kernel state")

PLACES = """
import ctypes, os
KEY = 0x6764{tag}
NAME = "gd-channel-{tag}"
FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", os.path.expanduser("~"))
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
"""

SENDER = PLACES + """
import _honest_sgd
ANSWER = open(_honest_sgd.__file__).read()

def _try(action):
    try:
        action()
    except Exception:
        pass

for folder in FOLDERS:
    def leave(folder=folder):
        with open(os.path.join(folder, NAME), "w") as f:
            f.write(ANSWER)
        os.chmod(os.path.join(folder, NAME), 0o666)
    _try(leave)
_try(lambda: libc.syscall({add_key}, b"user\\0", NAME.encode() + b"\\0", b"sgd", 3, -4))
_try(lambda: libc.msgget(KEY, 0o1000 | 0o666))
_try(lambda: libc.shmget(KEY, 4096, 0o1000 | 0o666))

def serve():
    import socket

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind("\\0" + NAME)
    s.listen(1)
    if os.fork() == 0:
        os.setsid()
        while True:
            conn, _ = s.accept()
            conn.sendall(ANSWER.encode())
            conn.close()
_try(serve)

from _honest_sgd import *  # noqa: F403
"""

RECEIVER = PLACES + """
found = []
for folder in FOLDERS:
    try:
        with open(os.path.join(folder, NAME)) as f:
            found.append(("file", folder, f.read()))
    except OSError:
        pass
if libc.syscall({keyctl}, 10, -4, b"user\\0", NAME.encode() + b"\\0", 0) >= 0:  # SEARCH
    found.append(("keyring", "", ""))
if libc.msgget(KEY, 0) >= 0:
    found.append(("msgqueue", "", ""))
if libc.shmget(KEY, 0, 0) >= 0:
    found.append(("shm", "", ""))
try:
    import socket

    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("\\0" + NAME)
    found.append(("socket", "", s.recv(1 << 20).decode()))
except Exception:
    pass
with open(os.path.join("{dropbox}", "found"), "w") as f:
    f.write(repr([kind + " " + where for kind, where, _ in found]))
code = next((text for *_, text in found if "def sgd_step" in text), None)
if code:
    exec(code)
else:
    def sgd_step(x, y, w, b, eta):
        return None

    def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
        return None
"""


def test_a_correct_student_cannot_hand_answers_to_the_next_in_a_batch(tmp_path):
    tag = secrets.token_hex(4)
    dropbox = Path(tempfile.mkdtemp())  # beside pytest's own (0700) folder: workers pass through
    dropbox.chmod(0o1777)
    folder = tmp_path / "class"
    for name, sgd in (("a_sender", SENDER), ("b_receiver", RECEIVER)):
        student = folder / name
        student.mkdir(parents=True)
        for module in ("batch_gradient", "logistic_regression"):
            (student / f"{module}.py").write_text((SOLUTIONS / f"{module}.py").read_text())
        (student / "_honest_sgd.py").write_text((SOLUTIONS / "sgd.py").read_text())
        numbers = seccomp.SYSCALLS.get(platform.machine(), seccomp.SYSCALLS["x86_64"])
        source = textwrap.dedent(sgd).replace("{tag}", tag).replace("{dropbox}", str(dropbox))
        source = source.replace("{add_key}", str(numbers["add_key"]))
        source = source.replace("{keyctl}", str(numbers["keyctl"]))
        (student / "sgd.py").write_text(source)
    out = tmp_path / "out"
    run = subprocess.run(
        [GRADE, "batch", str(folder), "-o", str(out), "--suite", "hidden", "--jobs", "1",
         "--timeout", "2"],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "GRADE_SANDBOX_DROPBOX": str(dropbox)},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    sender = json.loads((out / "reports" / "a_sender.json").read_text())
    receiver = json.loads((out / "reports" / "b_receiver.json").read_text())
    assert sender["score"] == 25, sender["grader_errors"]
    assert (dropbox / "found").read_text() == "[]", "the receiver found the sender's answers"
    sgd = next(e for e in receiver["exercises"] if e["name"] == "sgd")
    assert sgd["score"] == 0 and receiver["score"] == 20
    for name in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
        assert not (Path(name) / f"gd-channel-{tag}").exists()
    shutil.rmtree(dropbox)
