"""What the sandbox can do on this machine, asked of a real worker: for `grade --version`.

An instructor checks it before grading a class (is Landlock there? a separate user?), and a bug
report carries it.
"""

from __future__ import annotations

import platform
import sys
import tempfile
from pathlib import Path

from grader.sandbox.client import Sandbox


def confinement_here() -> dict:
    """The `confinement` a grading would get here now (a worker is started on an empty folder)."""
    with tempfile.TemporaryDirectory(prefix="gd-probe-") as folder:
        with Sandbox(Path(folder)) as box:
            box.worker_info  # noqa: B018 - wait until a worker has said what held
            return box.confinement


def describe() -> str:
    """Lines for people: the Python, the system, and what confines a submission here."""
    found = confinement_here()
    yes = lambda flag: "yes" if flag else "no"  # noqa: E731
    lines = [
        f"Python {platform.python_version()} ({sys.executable}) on {platform.system()} "
        f"{platform.release()}",
        f"sandbox: {found['mode']}",
        f"  filesystem confinement: {found['filesystem'] or 'none'}"
        + (f" (Landlock ABI {found['landlock_abi']})" if found["landlock_abi"] else ""),
        f"  a separate user per grading: {yes(found['separate_user'])}",
        f"  syscall filter: {yes(found['syscall_filter'])}",
        f"  own network and IPC: {yes(found['own_network'])}, {yes(found['own_ipc'])}",
        f"  own /tmp, /var/tmp and /dev/shm: {yes(found['private_tmp'])}",
        f"  limits: {', '.join(found['limits']) or 'none'}",
    ]
    lines += [f"  missing: {gap}" for gap in found["missing"]]
    return "\n".join(lines)
