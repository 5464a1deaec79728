"""Hostile: freeze every process it can trace, the grader first, and never let go."""

import ctypes
import os

import _hostile
from _honest_sgd import *  # noqa: F403

_hostile.ran("import")
PTRACE_ATTACH = 16
_libc = ctypes.CDLL(None, use_errno=True)
_grader = set(_hostile.grading_processes())
for _name in _hostile.listing("/proc"):
    if not _name.isdigit() or int(_name) == os.getpid():
        continue
    _pid = int(_name)
    if _libc.ptrace(PTRACE_ATTACH, _pid, None, None) != 0:
        continue
    try:
        _theirs = os.stat(f"/proc/{_pid}").st_uid != os.getuid()
    except OSError:
        _theirs = True
    if (
        _theirs
        or _pid == os.getppid()
        or _pid in _grader
        and b"child.py" not in open(f"/proc/{_pid}/cmdline", "rb").read()
    ):
        _hostile.leak("traced", f"pid {_pid}")  # the grader, its reaper, somebody else's
    else:
        _hostile.note("traced-own", f"pid {_pid}")  # a worker of this very submission
