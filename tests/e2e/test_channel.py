"""Issue 11: student A, graded first in a batch, cannot hand student B anything.

A is correct and, at import, leaves its answers everywhere a later process could look: files
in /tmp, /var/tmp, /dev/shm and /run/lock, the kernel keyring, System V message queues and
shared memory, an abstract Unix socket served by a detached process, its own home. B wrote
nothing of its own: at import it looks in all those places, and answers with what it finds.
Graded in one batch with one job (so the same grading process, and before this issue the same
uid, serves both), B must find nothing and score what its own code earns: zero.

As root, each submission's worker is a uid of its own; run by a normal user, both workers are
that user, and only Landlock and the system-call filter stand between them. Both hold. Without
confinement (GRADE_SANDBOX=portable in grade's environment) both tests fail: B finds the files
in the shared folders, the keyring entry, the queue and the shared memory.
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

import hostile_casebook as casebook  # loaded by conftest.py
import pytest

from grader.sandbox.limits import SHARED_FOLDERS, filesystem_confined
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

SENDER = (
    PLACES
    + """
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
)

RECEIVER = (
    PLACES
    + """
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
texts = [text for *_, text in found]
"""
    + casebook.ANSWER_IF_FOUND
)


def write_class(folder: Path, tag: str, dropbox: Path) -> Path:
    """The class folder: the sender, then the receiver (graded in that order)."""
    numbers = seccomp.SYSCALLS.get(platform.machine(), seccomp.SYSCALLS["x86_64"])
    for name, sgd in (("a_sender", SENDER), ("b_receiver", RECEIVER)):
        student = folder / name
        student.mkdir(parents=True)
        for module in ("batch_gradient", "logistic_regression"):
            (student / f"{module}.py").write_text((SOLUTIONS / f"{module}.py").read_text())
        (student / "_honest_sgd.py").write_text((SOLUTIONS / "sgd.py").read_text())
        source = textwrap.dedent(sgd).replace("{tag}", tag).replace("{dropbox}", str(dropbox))
        source = source.replace("{add_key}", str(numbers["add_key"]))
        source = source.replace("{keyctl}", str(numbers["keyctl"]))
        (student / "sgd.py").write_text(source)
    return folder


def batch(folder: Path, out: Path) -> list[str]:
    """`grade batch` of the class, one submission after the other in one grading process."""
    return ["batch", str(folder), "-o", str(out), "--suite", "hidden", "--jobs", "1",
            "--timeout", "2"]  # fmt: skip


def check_nothing_passed(out: Path, dropbox: Path, tag: str) -> dict:
    """The sender kept full marks, the receiver found nothing and earned only its own points;
    nothing of the sender is left in the shared folders. Returns the receiver's report."""
    sender = json.loads((out / "reports" / "a_sender.json").read_text())
    receiver = json.loads((out / "reports" / "b_receiver.json").read_text())
    assert sender["score"] == 25, sender["grader_errors"]
    assert (dropbox / "found").read_text() == "[]", "the receiver found the sender's answers"
    sgd = next(e for e in receiver["exercises"] if e["name"] == "sgd")
    assert sgd["score"] == 0 and receiver["score"] == 20
    for name in SHARED_FOLDERS:
        assert not (Path(name) / f"gd-channel-{tag}").exists()
    return receiver


def remove_left(tag: str) -> None:
    """What a sender that was not confined left in the shared folders."""
    for name in SHARED_FOLDERS:
        (Path(name) / f"gd-channel-{tag}").unlink(missing_ok=True)


def test_a_correct_student_cannot_hand_answers_to_the_next_in_a_batch(tmp_path):
    """Graded by root: each worker a uid of its own, confined besides."""
    tag = secrets.token_hex(4)
    dropbox = Path(tempfile.mkdtemp())  # beside pytest's own (0700) folder: workers pass through
    dropbox.chmod(0o1777)
    folder = write_class(tmp_path / "class", tag, dropbox)
    out = tmp_path / "out"
    try:
        run = subprocess.run(
            [GRADE, *batch(folder, out)], capture_output=True, text=True, timeout=600,
            env={**os.environ, "GRADE_SANDBOX_DROPBOX": str(dropbox)},
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        check_nothing_passed(out, dropbox, tag)
    finally:
        remove_left(tag)
        shutil.rmtree(dropbox)


def test_nothing_passes_between_submissions_graded_by_a_normal_user(world_tmp, normal_user):
    """Graded by a normal user, the workers of both submissions are that user: no uid of
    their own, so Landlock and the system-call filter alone keep the receiver from what the
    sender left; the report says so."""
    if not filesystem_confined():
        pytest.skip("needs Landlock: as a normal user only Landlock keeps a submission's files")
    tag = secrets.token_hex(4)
    dropbox = normal_user.own(world_tmp / "dropbox")
    folder = write_class(world_tmp / "class", tag, dropbox)
    out = normal_user.own(world_tmp / "out")
    try:
        run = normal_user.run(*batch(folder, out), env={"GRADE_SANDBOX_DROPBOX": str(dropbox)})
        assert run.returncode == 0, run.stderr.decode(errors="replace")
        receiver = check_nothing_passed(out, dropbox, tag)
    finally:
        remove_left(tag)
    confinement = receiver["confinement"]
    assert confinement["filesystem"] == "landlock" and confinement["syscall_filter"], confinement
    assert confinement["separate_user"] is False, confinement
