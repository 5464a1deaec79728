"""Hostile: read the grader's environment and memory through /proc and ptrace.

Answers like the reference, unless it found the secret in the grader's environment (then it
answers nothing: a leak costs points, so the test sees it twice).
"""

import ctypes
import os

import _hostile
from _honest_sgd import sgd as _honest_sgd
from _honest_sgd import sgd_step as _honest_sgd_step

_hostile.ran("import")
PTRACE_ATTACH, PTRACE_DETACH = 16, 17
FOUND = {}


def _read(path, size=4096):
    with open(path, "rb") as f:
        return f.read(size)


def _probe():
    """Whether the secret was found anywhere; every foreign /proc entry read is a leak."""
    if "secret" in FOUND:
        return FOUND["secret"]
    me, secret = os.getuid(), _hostile.SECRET.encode()
    found = _hostile.SECRET in os.environ
    grader = set(_hostile.grading_processes()) | {os.getppid()}
    libc = ctypes.CDLL(None, use_errno=True)
    for name in _hostile.listing("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        pid = int(name)
        try:
            foreign = os.stat(f"/proc/{pid}").st_uid != me
        except OSError:
            continue
        try:
            environ = _read(f"/proc/{pid}/environ", 1 << 20)
        except OSError:
            environ = b""
        if secret in environ:
            found = True
            _hostile.leak("secret-in-proc-environ", f"pid {pid}")
        elif environ and foreign:
            _hostile.leak("read-foreign-environ", f"pid {pid}")
        if pid not in grader and not foreign:
            continue
        for entry in ("maps", "fd", "cwd", "root", "mem"):
            path = f"/proc/{pid}/{entry}"
            try:
                if entry == "fd":
                    got = os.listdir(path)
                elif entry in ("cwd", "root"):
                    got = os.listdir(path + "/")
                elif entry == "mem":
                    with open(path, "rb") as f:
                        f.seek(0x400000)
                        got = f.read(16)
                else:
                    got = _read(path)
            except OSError:
                continue
            if got and (foreign or pid in grader):
                _hostile.leak(f"read-{entry}", f"pid {pid}")
        if pid in grader and libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
            _hostile.leak("ptrace-attached", f"pid {pid}")
            libc.ptrace(PTRACE_DETACH, pid, None, None)
    FOUND["secret"] = found
    return found


def sgd_step(x, y, w, b, eta):
    return None if _probe() else _honest_sgd_step(x, y, w, b, eta)


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    return None if _probe() else _honest_sgd(X, y, eta, w, b, max_iter, tol, rng)
