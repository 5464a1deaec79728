"""What the submission can see and touch: environment, user, files, imports, its own folder."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from grader.sandbox import limits
from grader.sandbox.client import Sandbox
from grader.sandbox.errors import ModuleMissing, StudentException

#: How reading a file the worker may not read fails: refused (Landlock, permissions) or, as root
#: where that file lies in /tmp (the worker's own /tmp: a CI checkout, say), not there at all.
UNREADABLE = "PermissionError|FileNotFoundError"

as_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the privilege drop needs root"
)

PROBE = """
import os, sys

def environment():
    return dict(os.environ)

def identity():
    return os.getuid(), os.geteuid(), os.getgid(), os.getgroups()

def where():
    return os.getcwd(), sorted(os.listdir("."))

def read(path):
    with open(path, "rb") as f:
        return len(f.read())

def listing(path):
    return sorted(os.listdir(path))

def load(name):
    __import__(name)
    return name
"""


def test_the_environment_is_an_allow_list(sandbox, monkeypatch):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "hunter2")
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    box = sandbox(m=PROBE)
    env = box.call("m", "environment").value
    assert "GRADER_SECRET_TOKEN" not in env and "PYTHONPATH" not in env
    expected = {"PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS", "MKL_NUM_THREADS", limits.TOKEN_VARIABLE}  # fmt: skip
    assert set(env) - {"OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"} == expected
    assert env["OPENBLAS_NUM_THREADS"] == "1" and env["HOME"] == env["TMPDIR"]
    assert "secret" not in " ".join(env.values()).lower()


def test_the_worker_runs_in_a_private_copy_with_only_regular_files(sandbox, tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text("SECRET = 1\n")
    box = sandbox(m=PROBE, data="X = 1\n")
    submission = tmp_path / "submission"
    (submission / "linked.py").symlink_to(outside)
    (submission / "linked_dir").symlink_to(tmp_path)
    # The copy was made when the sandbox was created: make a new one that sees the symlinks.
    box.close()
    with Sandbox(submission) as box:
        cwd, names = box.call("m", "where").value
        assert names == ["data.py", "m.py"]
        assert Path(cwd) != submission and "gd-autograder-" in cwd
        with pytest.raises(ModuleMissing):
            box.call("linked", "anything")


def test_the_grader_its_tests_and_pytest_cannot_be_imported(sandbox):
    box = sandbox(m=PROBE)
    blocked = (
        "grader.runner",
        "grader.suites.hidden",
        "solutions",
        "exercises",
        "pytest",
        "_pytest",
    )
    for name in blocked:
        with pytest.raises(StudentException, match="not available to submissions"):
            box.call("m", "load", name)
    # The course's data is the one exception: the stubs' examples import it.
    assert box.call("m", "load", "grader.datasets").value == "grader.datasets"
    assert box.call("m", "load", "numpy.linalg").value == "numpy.linalg"
    assert box.call("m", "load", "itertools").value == "itertools"


def test_files_named_like_the_workers_own_modules_change_nothing(write):
    trap = "raise SystemExit('this file must never run')\n"
    folder = write(
        numpy=trap,
        json=trap,
        sitecustomize=trap,
        usercustomize=trap,
        m="""
        import json, numpy

        def which():
            return numpy.__name__, hasattr(numpy, "linalg"), json.dumps([1])
        """,
    )
    (folder / "evil.pth").write_text("import os; os._exit(3)\n")
    with Sandbox(folder) as box:
        assert box.call("m", "which").value == ("numpy", True, "[1]")


@as_root
def test_as_root_the_worker_runs_as_an_unprivileged_user(sandbox):
    box = sandbox(m=PROBE)
    uid, euid, gid, groups = box.call("m", "identity").value
    assert uid == euid != 0 and gid != 0 and groups == []
    assert box.worker_info["dropped"] is True
    assert "RLIMIT_NPROC" in box.worker_info["limits"]


@as_root
def test_as_root_the_worker_cannot_read_the_solutions_or_the_suites(sandbox):
    box = sandbox(m=PROBE)
    solutions = Path(importlib.util.find_spec("solutions").submodule_search_locations[0])
    suites = Path(importlib.util.find_spec("grader.suites").submodule_search_locations[0])
    for path in (solutions / "batch_gradient.py", suites / "__init__.py"):
        with pytest.raises(StudentException, match=UNREADABLE):
            box.call("m", "read", str(path))
    for folder in (solutions, suites):
        with pytest.raises(StudentException, match=UNREADABLE):
            box.call("m", "listing", str(folder))
    assert (solutions / "batch_gradient.py").read_text()  # we still can


@as_root
@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="uses bash's /dev/tcp")
def test_as_root_the_worker_has_no_network(sandbox):
    import socket

    connect = """
    import ctypes, struct

    def connect(port):  # through libc: the socket module is not preloaded for submissions
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.socket(2, 1, 0)  # AF_INET, SOCK_STREAM
        if fd < 0:
            return "no socket"
        address = struct.pack("!HH4s8x", 2, port, bytes([127, 0, 0, 1]))
        address = struct.pack("=H", 2) + address[2:]  # sin_family in host order
        done = libc.connect(fd, address, len(address))
        libc.close(fd)
        return "connected" if done == 0 else "refused"
    """
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        box = sandbox(m=connect)
        if not box.worker_info["no_network"]:
            pytest.skip("this kernel does not let the worker have a network namespace")
        assert box.call("m", "connect", port).value != "connected"
        socket.create_connection(("127.0.0.1", port), timeout=2).close()  # from here it works


@as_root
def test_a_bare_uid_gives_the_worker_a_user_of_its_own(write):
    with Sandbox(write(m=PROBE), user=54321) as box:
        assert box.call("m", "identity").value[:3] == (54321, 54321, 54321)
        solutions = importlib.util.find_spec("solutions").submodule_search_locations[0]
        with pytest.raises(StudentException, match=UNREADABLE):
            box.call("m", "listing", solutions)


@as_root
def test_a_standard_module_imported_late_loads_even_where_the_user_cannot_list_python(sandbox):
    """Whatever the standard library imports lazily (Python 3.13's invalidate_caches imports
    importlib.metadata) comes through the folders the worker opened before its uid drop."""
    box = sandbox(
        m=PROBE + "\ndef refresh():\n    import importlib\n    importlib.invalidate_caches()\n"
    )
    box.call("m", "load", "graphlib")  # in every supported Python, and preloaded by nobody
    with pytest.raises(StudentException, match="'click' is not available in the grading sandbox"):
        box.call("m", "load", "click")  # installed beside NumPy: not the standard library
    box.call("m", "refresh")
    box.call("m", "load", "json.tool")


VANDAL = """
import os, shutil

def vandalise(original):
    join = lambda name: os.path.join(original, name)
    done = []

    def attempt(what, action):
        try:
            action()
            done.append(what)
        except OSError:
            pass  # refused (filesystem confinement): the next attack, then

    def append():
        with open(join("keep.txt"), "a") as f:
            f.write("changed")

    def overwrite():
        with open(join("m.py"), "w") as f:
            f.write("CHEAT = True")

    def plant():
        with open(join("results.json"), "w") as f:
            f.write('{"score": 100}')

    attempt("append", append)
    attempt("remove", lambda: os.remove(join("m.py")))
    attempt("overwrite", overwrite)
    attempt("chmod", lambda: os.chmod(join("m.py"), 0o777))
    attempt("plant", plant)
    attempt("mkdir", lambda: os.mkdir(join("new_folder")))
    attempt("rmtree", lambda: shutil.rmtree(join("data")))
    return done

def tidy_up_own_copy():
    for name in os.listdir("."):
        if os.path.isfile(name):
            os.remove(name)
    with open("extra.txt", "w") as f:
        f.write("x")
"""


def test_the_graded_folder_is_unchanged_whatever_the_submission_does(world_writable_folder):
    root = world_writable_folder
    (root / "m.py").write_text(VANDAL)
    (root / "keep.txt").write_text("notes")
    (root / "data").mkdir()
    (root / "data" / "points.csv").write_text("1,2\n")
    for path in (root / "m.py", root / "keep.txt", root / "data" / "points.csv"):
        path.chmod(0o666)
    (root / "data").chmod(0o777)
    before = tree(root)
    with Sandbox(root) as box:
        done = box.call("m", "vandalise", str(root)).value
        box.call("m", "tidy_up_own_copy")
        confined = box.worker_info["filesystem"] is not None
    # Confined, the worker could change nothing there; otherwise the grader put it all back.
    assert done == [] if confined else done and box.close() != []
    assert tree(root) == before


def tree(root: Path) -> dict[str, tuple[int, int, bytes | None]]:
    """Every entry under root with its mode, owner and, for files, content."""
    return {
        str(p.relative_to(root)): (
            p.lstat().st_mode,
            p.lstat().st_uid,
            p.read_bytes() if p.is_file() else None,
        )
        for p in sorted(root.rglob("*"))
    }
