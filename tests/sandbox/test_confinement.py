"""Confinement (issue 11): what a worker can reach of the machine, whatever the file permissions.

Landlock keeps it to the standard library, NumPy and its own folder; the seccomp filter refuses
the kernel's shared state (keyrings, System V IPC, POSIX queues, Unix sockets, namespaces);
each module gets its own copy; each grading a uid of its own; and the worker side of the
sandbox imports nothing but the standard library and NumPy.
"""

from __future__ import annotations

import ast
import os
import secrets
import shutil
import sys
from pathlib import Path

import pytest

from grader.sandbox import limits, proctree
from grader.sandbox.client import Sandbox
from grader.sandbox.errors import StudentException
from grader.sandbox.worker import landlock, seccomp

#: How reading a file the worker may not read fails: refused (Landlock, permissions) or, as root
#: where that file lies in /tmp (the worker's own /tmp: a CI checkout, say), not there at all.
UNREADABLE = "PermissionError|FileNotFoundError"

SANDBOX = Path(limits.__file__).resolve().parent
SOLUTIONS = SANDBOX.parents[1] / "solutions"
needs_landlock = pytest.mark.skipif(
    not limits.LINUX or landlock.abi_version() < 1, reason="needs Linux with Landlock"
)
as_root = pytest.mark.skipif(not limits.AS_ROOT, reason="needs root")

READER = """
import os

def read(path):
    try:
        with open(path, "rb") as f:
            return len(f.read())
    except OSError as e:
        return type(e).__name__

def listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as e:
        return type(e).__name__
"""


def test_the_worker_side_imports_only_the_standard_library_and_numpy():
    files = [*sorted((SANDBOX / "worker").glob("*.py")), SANDBOX / "child.py"]
    files += [SANDBOX / "wire.py", SANDBOX / "proctree.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.partition(".")[0]
                assert top in sys.stdlib_module_names or top in ("numpy", "_gd_worker"), (
                    f"{path.name} imports {name}"
                )


def test_every_worker_module_fits_one_sitting():
    for path in (SANDBOX / "worker").glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 250, path.name


def test_the_syscall_filter_names_every_syscall_it_refuses_on_each_machine():
    for machine, table in seccomp.SYSCALLS.items():
        named = set(seccomp.ALWAYS_REFUSED) | set(seccomp.TARGET_CHECKED) | set(seccomp.BY_ARGUMENT)
        assert named <= set(table), machine
        numbers = [n for n in table.values() if n is not None]
        assert len(set(numbers)) == len(numbers), f"{machine}: two names, one number"
        steps = seccomp.program(machine, {os.getpid()})
        refused = {s[1] for s in steps if s[0] == "jeq" and s[2] == "refuse"}
        assert {table[name] for name in seccomp.ALWAYS_REFUSED} - {None} <= refused
        assert all(table[name] is not None for name in set(named) - set(seccomp.METADATA))
        seccomp.assemble(steps)  # every jump fits its byte


@needs_landlock
def test_world_readable_copies_of_the_answers_elsewhere_stay_unreadable(sandbox, tmp_path):
    # What an instructor or a TA leaves lying around: a clone, a copy, a venv, a build.
    planted = []
    places = ("clone/solutions", "venv/lib/python3/site-packages/solutions", "build/lib/solutions")
    for place in places:
        folder = tmp_path / "elsewhere" / place
        folder.mkdir(parents=True)
        shutil.copy(SOLUTIONS / "sgd.py", folder / "sgd.py")
        planted.append(folder / "sgd.py")
    for path in [tmp_path, *(tmp_path / "elsewhere").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    box = sandbox(m=READER)
    # Refused by Landlock; or, as root where tmp_path's /tmp is the worker's own, not there.
    unreadable = ("PermissionError", "FileNotFoundError")
    for path in planted:
        assert box.call("m", "read", str(path)).value in unreadable
    assert box.call("m", "listing", str(tmp_path / "elsewhere")).value in unreadable
    assert box.call("m", "read", "m.py").value > 0  # its own copy, as ever
    found = box.confinement
    assert found["filesystem"] == "landlock" and found["mode"] == "linux"
    assert found["missing"] == []


@needs_landlock
def test_the_worker_writes_only_its_own_folder(sandbox, tmp_path):
    box = sandbox(
        m="""
import os

def write(path):
    try:
        with open(path, "w") as f:
            f.write("x")
        return "written"
    except OSError as e:
        return type(e).__name__
"""
    )
    open_folder = tmp_path / "open"
    open_folder.mkdir(mode=0o777)
    open_folder.chmod(0o777)
    for path in (open_folder / "x", "/tmp/gd-confinement-probe", "/dev/shm/gd-confinement-probe"):
        # Refused by Landlock; or, as root (a /tmp of its own), a folder that is not there.
        assert box.call("m", "write", str(path)).value in ("PermissionError", "FileNotFoundError")
        assert not Path(path).exists()
    assert box.call("m", "write", "mine.txt").value == "written"
    assert box.call("m", "write", os.devnull).value == "written"


SYSCALLS = """
import ctypes, errno

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

def refused(name, *args):
    number = {numbers}[name]
    args = [a.encode() + b"\\0" if isinstance(a, str) else a for a in args]
    done = libc.syscall(number, *args)
    return "allowed" if done >= 0 else errno.errorcode[ctypes.get_errno()]
"""


@pytest.mark.skipif(not limits.LINUX, reason="Linux's seccomp")
def test_keyrings_ipc_unix_sockets_and_namespaces_are_refused(sandbox):
    import platform

    if platform.machine() not in seccomp.SYSCALLS:
        pytest.skip("no syscall table for this machine")
    box = sandbox(m=SYSCALLS.replace("{numbers}", repr(seccomp.SYSCALLS[platform.machine()])))
    calls = {
        "add_key": ("user", "gd-key", "secret", 6, -3),  # KEY_SPEC_SESSION_KEYRING
        "keyctl": (0, -3, 0),  # KEYCTL_GET_KEYRING_ID
        "msgget": (1234, 0o1000 | 0o600),
        "semget": (1234, 1, 0o1000 | 0o600),
        "shmget": (1234, 4096, 0o1000 | 0o600),
        "mq_open": ("gd-queue", 0o100 | 2, 0o600, 0),
        "socket": (1, 1, 0),  # AF_UNIX: the door to abstract sockets
        "unshare": (0x40000000,),
    }
    for name, args in calls.items():
        assert box.call("m", "refused", name, *args).value == "EPERM", name
    assert box.call("m", "refused", "socket", 2, 2, 0).value in ("allowed", "EACCES")  # UDP


METADATA = """
import errno, fcntl, os, struct

def attempts():
    done = {}

    def attempt(name, action):
        try:
            action()
            done[name] = "allowed"
        except OSError as e:
            done[name] = errno.errorcode.get(e.errno, str(e.errno))

    fd = os.open("m.py", os.O_RDONLY)
    attempt("chmod", lambda: os.chmod("m.py", 0o777))
    attempt("fchmod", lambda: os.fchmod(fd, 0o777))
    attempt("chown", lambda: os.chown("m.py", os.getuid(), os.getgid()))
    attempt("utime", lambda: os.utime("m.py", (0, 0)))
    attempt("setxattr", lambda: os.setxattr("m.py", "user.gd", b"1"))
    attempt("chattr", lambda: fcntl.ioctl(fd, 0x40086602, struct.pack("l", 0)))
    return done
"""


@pytest.mark.skipif(not limits.LINUX, reason="Linux's seccomp")
def test_no_file_metadata_can_be_changed_not_even_of_the_workers_own_files(sandbox):
    # Its own copy is its user's: only the syscall filter stops this. As a normal user the
    # worker is the grading user, and Landlock does not govern metadata: without the filter
    # it could make any of that user's files it can name world-writable.
    done = sandbox(m=METADATA).call("m", "attempts").value
    assert done == dict.fromkeys(
        ("chmod", "fchmod", "chown", "utime", "setxattr", "chattr"), "EPERM"
    ), done


SEES = """
import os

def sees(*paths):
    return [os.path.exists(p) for p in paths]

"""


@as_root
@pytest.mark.skipif(not limits.LINUX, reason="Linux's mount namespaces")
def test_as_root_the_shared_folders_are_the_workers_own(sandbox):
    # What others leave in /tmp, /var/tmp and /dev/shm is not even there for the worker (with
    # Landlock alone it could see that it exists), and what it leaves there goes with it.
    token = secrets.token_hex(4)
    planted = [Path(folder) / f"gd-planted-{token}" for folder in ("/tmp", "/var/tmp", "/dev/shm")]
    try:
        for path in planted:
            path.write_text("answers")
            path.chmod(0o644)
        box = sandbox(m=SEES)
        assert box.call("m", "sees", *map(str, planted)).value == [False, False, False]
        assert box.call("m", "sees", "m.py", os.devnull).value == [True, True]  # its own
        assert box.confinement["private_tmp"] is True
    finally:
        for path in planted:
            path.unlink(missing_ok=True)


def test_what_one_module_does_to_its_folder_cannot_reach_another(sandbox):
    box = sandbox(
        spoiler="""
import os
for name in os.listdir("."):
    if name != "spoiler.py":
        os.remove(name)
try:
    os.chmod(".", 0)  # refused (the syscall filter) where the worker is the grading user
except PermissionError:
    pass

def f():
    return "spoiled"
""",
        other="import data\n\ndef f():\n    return data.X\n",
        data="X = 42\n",
    )
    assert box.call("spoiler", "f").value == "spoiled"
    assert box.call("other", "f").value == 42


@as_root
def test_each_grading_gets_a_uid_nobody_else_has(write):
    folder = write(m="import os\n\ndef uid():\n    return os.getuid()\n")
    uids = set()
    for _ in range(3):
        with Sandbox(folder) as box:
            uids.add(box.call("m", "uid").value)
    assert len(uids) == 3 and all(limits.PRIVATE_UIDS[0] <= u for u in uids)


@as_root
@needs_landlock
def test_as_root_the_checkout_is_not_chmodded_when_landlock_holds(write):
    before = {p: p.stat().st_mode for p in SOLUTIONS.parent.iterdir() if not p.is_symlink()}
    with Sandbox(write(m=READER)) as box:
        assert box.protected_now == []
        assert box.call("m", "read", str(SOLUTIONS / "sgd.py")).value in UNREADABLE.split("|")
    assert {p: p.stat().st_mode for p in before} == before


@pytest.mark.skipif(not proctree.HAVE_PROC, reason="needs /proc")
def test_the_worker_cannot_read_other_processes(sandbox):
    box = sandbox(m=READER)
    assert box.call("m", "read", f"/proc/{os.getpid()}/environ").value in (
        "PermissionError",
        "FileNotFoundError",
    )


def test_a_refused_import_names_what_is_available(sandbox):
    box = sandbox(m="def load(name):\n    __import__(name)\n")
    with pytest.raises(StudentException, match="'click' is not available in the grading sandbox"):
        box.call("m", "load", "click")  # installed beside NumPy, but not the standard library
    with pytest.raises(StudentException, match="not available to submissions"):
        box.call("m", "load", "solutions")


@needs_landlock
def test_a_file_the_student_saves_while_grading_runs_is_kept(write):
    folder = write(m="def f():\n    return 1\n")
    with Sandbox(folder) as box:
        assert box.call("m", "f").value == 1
        (folder / "m.py").write_text("def f():\n    return 2\n")  # the student saves meanwhile
        (folder / "notes.txt").write_text("new")
    assert (folder / "m.py").read_text().endswith("return 2\n")  # confined: nothing undone
    assert (folder / "notes.txt").read_text() == "new"
