"""Defences added against the hostile cases of issue 4 (tests/e2e/test_hostile.py runs them all
through the real CLI; these pin each defence down where it lives)."""

from __future__ import annotations

import os
import pwd
import secrets
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import limits, proctree, wire
from grader.sandbox.client import Sandbox
from grader.sandbox.errors import CallTimeout

#: How reading a file the worker may not read fails: refused (Landlock, permissions) or, as root
#: where that file lies in /tmp (the worker's own /tmp: a CI checkout, say), not there at all.
UNREADABLE = "PermissionError|FileNotFoundError"

as_root = pytest.mark.skipif(not limits.AS_ROOT, reason="needs root")
linux_only = pytest.mark.skipif(not proctree.HAVE_PROC, reason="needs Linux /proc")


# --- values that cannot cross whole ------------------------------------------------------------


@pytest.mark.parametrize("make", ["itself", "deep", "wide"])
def test_a_value_too_deep_or_too_wide_crosses_as_one_foreign_value(make):
    if make == "itself":
        value: list = []
        value.append(value)
    elif make == "deep":
        value = [1.0]
        for _ in range(wire.MAX_DEPTH + 1):
            value = [value]
    else:
        value = [[i] for i in range(wire.MAX_NODES)]
    tree, blobs = wire.encode((np.ones(2), value), untrusted=True)
    decoded = wire.decode(tree, blobs, trusted_side=True)
    assert isinstance(decoded, wire.Foreign) and "nested too deeply" in decoded.description


def test_as_deep_as_the_wire_allows_still_crosses():
    value = [1.0]
    for _ in range(wire.MAX_DEPTH - 1):
        value = [value]
    tree, blobs = wire.encode(value, untrusted=True)
    assert wire.decode(tree, blobs, trusted_side=True) == value


def test_a_refused_part_does_not_use_up_the_room_of_the_rest():
    encoder = wire.Encoder(untrusted=True, max_bytes=1 << 20)
    tree = encoder.encode(("x" * (2 << 20), np.ones(3)))
    state = encoder.encode(np.random.default_rng(1).bit_generator.state)
    big, small = wire.decode(tree, encoder.blobs, trusted_side=True)
    assert isinstance(big, wire.Foreign) and type(small) is np.ndarray
    assert wire.decode(state, encoder.blobs, trusted_side=True)["bit_generator"] == "PCG64"


def test_a_huge_result_with_a_generator_argument_is_a_wrong_value_not_a_crash(sandbox):
    box = sandbox(m="def f(rng):\n    rng.random()\n    return '0' * (100 << 20)\n")
    rng = np.random.default_rng(3)
    value = box.call("m", "f", rng).value
    assert isinstance(value, wire.Foreign)
    assert rng.random() == np.random.default_rng(3).random(2)[1]  # it advanced, as in the worker


# --- one worker per module ---------------------------------------------------------------------

PATCHER = """
import builtins, sys, numpy
builtins.abs = lambda x: 0
numpy.mean = lambda *args, **kwargs: 0.0
sys.modules["math"] = None

def f():
    return abs(-3), numpy.mean([1.0, 2.0])
"""
HONEST = """
import math
import numpy as np

def f(values):
    return abs(-3), float(np.mean(values)), math.sqrt(4.0)
"""


def test_what_a_module_patches_does_not_reach_the_other_modules(sandbox):
    box = sandbox(patcher=PATCHER, honest=HONEST)
    assert box.call("patcher", "f").value == (0, 0.0)
    assert box.call("honest", "f", np.arange(5.0)).value == (3, 2.0, 2.0)
    assert box.call("patcher", "f").value == (0, 0.0)


@linux_only
def test_a_timeout_in_one_module_leaves_the_other_modules_worker_alone(sandbox):
    box = sandbox(
        slow="import time, os\ndef f():\n    time.sleep(60)\ndef pid():\n    return os.getpid()\n",
        fast="import os\ndef pid():\n    return os.getpid()\n",
    )
    fast = box.call("fast", "pid").value
    slow = box.call("slow", "pid").value
    assert fast != slow
    with pytest.raises(CallTimeout):
        box.call("slow", "f")
    assert box.call("fast", "pid").value == fast
    assert box.call("slow", "pid").value != slow


# --- the working copy --------------------------------------------------------------------------


DELETER = """
import os
for name in os.listdir("."):
    if name != "deleter.py":
        os.remove(name)
with open("other.py", "w") as f:
    f.write("def f():\\n    return 'replaced'\\n")

def f():
    return sorted(os.listdir("."))
"""


def test_a_module_that_deletes_the_others_cannot_take_them_down(sandbox):
    box = sandbox(deleter=DELETER, other="def f():\n    return 'mine'\n", data="X = 1\n")
    assert box.call("deleter", "f").value == ["deleter.py", "other.py"]
    assert box.call("other", "f").value == "mine"  # put back, as submitted, before its import


@linux_only
def test_putting_files_back_follows_no_symlink(sandbox, tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("untouched")
    box = sandbox(
        swapper=f"""
import os
os.remove("other.py")
os.symlink({str(target)!r}, "other.py")
def f():
    return 1
""",
        other="def f():\n    return 'mine'\n",
    )
    assert box.call("swapper", "f").value == 1
    assert box.call("other", "f").value == "mine"
    assert target.read_text() == "untouched"


# --- what the worker's user cannot read --------------------------------------------------------


def test_the_checkout_and_the_instructor_only_modules_are_protected():
    protected = set(limits.protected_folders())
    package = Path(limits.__file__).resolve().parents[1]
    assert package / "feedback" / "variants.py" in protected
    assert package / "instructor" in protected
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file():  # a source checkout: all of it but the grader
        python = Path(sys.prefix).resolve()
        left_open = {p for p in checkout.iterdir() if p not in protected and not p.is_symlink()}
        assert {p for p in left_open if not python.is_relative_to(p.resolve())} == {package}


@as_root
def test_as_root_the_worker_cannot_read_instructor_only_code(sandbox):
    box = sandbox(m="def read(path):\n    return len(open(path, 'rb').read())\n")
    package = Path(limits.__file__).resolve().parents[1]
    for path in (package / "feedback" / "variants.py", package / "instructor" / "__init__.py"):
        with pytest.raises(Exception, match=UNREADABLE):
            box.call("m", "read", str(path))


@as_root
def test_an_unused_uid_has_no_account_and_no_process():
    uid = limits.unused_uid()
    assert uid is not None and limits.PRIVATE_UIDS[0] <= uid < limits.PRIVATE_UIDS[1]
    with pytest.raises(KeyError):
        pwd.getpwuid(uid)
    assert proctree.count_user_processes(uid) == 0
    assert limits.worker_user(uid) == (uid, uid)


# --- what outlives the worker ------------------------------------------------------------------


@as_root
@linux_only
def test_as_root_what_a_worker_of_its_own_uid_leaves_in_shared_folders_goes(write):
    marker = f"gd-hardening-{secrets.token_hex(6)}"
    shared = [Path(d) for d in ("/tmp", "/var/tmp", "/dev/shm") if Path(d).is_dir()]
    folder = write(
        m=f"""
import os

def leave(folders):
    left = 0
    for folder in folders:
        try:
            os.mkdir(os.path.join(folder, {marker!r}))
            with open(os.path.join(folder, {marker!r}, "data"), "w") as f:
                f.write("x")
            os.symlink("/etc/passwd", os.path.join(folder, {marker!r} + ".link"))
            left += 1
        except OSError:
            pass  # refused: confined to its own folder
    return left
"""
    )
    with Sandbox(folder, user=limits.unused_uid()) as box:
        left = box.call("m", "leave", [str(d) for d in shared]).value
        confined = box.worker_info["filesystem"] is not None
        assert left == (0 if confined else len(shared))
    assert not [p for d in shared for p in d.glob(f"{marker}*")]
    assert Path("/etc/passwd").exists()


@as_root
@linux_only
def test_as_root_system_v_ipc_of_the_worker_is_its_own(sandbox):
    box = sandbox(
        m="""
import ctypes

def make(key):
    return ctypes.CDLL(None).shmget(key, 1 << 20, 0o1000 | 0o600)  # IPC_CREAT
"""
    )
    key = secrets.randbelow(1 << 30) + 1
    made = box.call("m", "make", key).value
    assert made == -1 or box.worker_info["own_ipc"]  # refused by seccomp, or in its namespace
    with open("/proc/sysvipc/shm") as f:
        assert str(key) not in [line.split()[0] for line in f.readlines()[1:]]


# --- signals and tracing -----------------------------------------------------------------------

SIGNALLER = """
import ctypes, errno, os, subprocess

def probe(grader):
    found = {}
    for name, target in (("parent", os.getppid()), ("grader", grader), ("everybody", -1)):
        try:
            os.kill(target, 0)  # signal 0: only asks whether it could
            found[name] = "allowed"
        except OSError as e:
            found[name] = errno.errorcode[e.errno]
    libc = ctypes.CDLL(None, use_errno=True)
    traced = libc.ptrace(16, os.getppid(), None, None)  # PTRACE_ATTACH
    found["ptrace"] = "allowed" if traced == 0 else errno.errorcode[ctypes.get_errno()]
    child = os.fork()
    if child == 0:
        import time
        time.sleep(30)
        os._exit(0)
    os.kill(child, 9)  # its own children: as before
    found["own child"] = -os.WTERMSIG(os.waitpid(child, 0)[1])
    # Aiming a descriptor's signals at somebody, then writing to it, would signal them too.
    import fcntl, struct
    r, w = os.pipe()
    for name, aim in (
        ("F_SETOWN", lambda: fcntl.fcntl(r, fcntl.F_SETOWN, grader)),
        ("F_SETSIG", lambda: fcntl.fcntl(r, 10, 9)),
        ("FIOSETOWN", lambda: fcntl.ioctl(r, 0x8901, struct.pack("i", grader))),
    ):
        try:
            aim()
            found[name] = "allowed"
        except OSError as e:
            found[name] = errno.errorcode[e.errno]
    found["F_SETFL"] = fcntl.fcntl(r, fcntl.F_SETFL, os.O_NONBLOCK)  # ordinary ones still work
    return found
"""


@linux_only
def test_even_as_the_graders_own_user_the_worker_cannot_signal_or_trace_its_parents(write):
    # user=None: the worker keeps our uid, so only its seccomp filter stands in the way.
    with Sandbox(write(m=SIGNALLER), user=None) as box:
        if not box.worker_info["seccomp"]:
            pytest.skip("no seccomp filter on this machine")
        assert box.call("m", "probe", os.getpid()).value == {
            "parent": "EPERM", "grader": "EPERM", "everybody": "EPERM", "ptrace": "EPERM",
            "own child": -9, "F_SETOWN": "EPERM", "F_SETSIG": "EPERM", "FIOSETOWN": "EPERM",
            "F_SETFL": 0,
        }  # fmt: skip


def test_a_folder_nested_beyond_any_path_limit_is_left_out(write):
    folder = write(m="def f():\n    return 'graded'\n")
    here = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(40):  # 40 folders of 200 characters: far beyond PATH_MAX
            os.mkdir("d" * 200, dir_fd=here)
            deeper = os.open("d" * 200, os.O_RDONLY | os.O_DIRECTORY, dir_fd=here)
            os.close(here)
            here = deeper
        os.close(os.open("x.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here))
    finally:
        os.close(here)
    with Sandbox(folder) as box:
        assert box.call("m", "f").value == "graded"
