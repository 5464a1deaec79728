"""The operating-system side of isolation, as seen from the trusted process.

What the worker may inherit (an environment allow-list), which limits it applies to itself
(`child.py` sets them; their values live here), which user it becomes when the grader is root,
hardening of the grading process itself, hiding the reference and the suites from that user, and
killing the worker's whole process tree. Everything degrades to what the OS offers: on macOS
there is no /proc, no subreaper and no RLIMIT_AS; only the timeout and the process group remain.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from grader.sandbox import proctree

LINUX = sys.platform == "linux"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

FILE_BYTES = 16 << 20  # RLIMIT_FSIZE: the biggest file a submission may write
EXTRA_PROCESSES = 64  # RLIMIT_NPROC above what the worker's user already runs: fork bombs stop here
KEPT_IF_SET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # some CPUs need them for correct results
TOKEN_VARIABLE = "GD_SANDBOX"  # marks the worker's processes (see `kill_tree`)


def worker_environment(home: Path, token: str) -> dict[str, str]:
    """The worker's whole environment: nothing of ours but PATH and the CPU hints above."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(home),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        TOKEN_VARIABLE: token,
    }
    env.update({k: os.environ[k] for k in KEPT_IF_SET if k in os.environ})
    return env


def worker_limits(*, memory_mb: int, timeout: float) -> dict[str, int]:
    """The rlimits `child.py` applies to itself (those the OS refuses are skipped there)."""
    return {
        "memory_bytes": memory_mb << 20,
        "file_bytes": FILE_BYTES,
        # A backstop for when the grader itself is gone; the per-call timeout is the real limit.
        "cpu_seconds": int(max(120, 20 * timeout)),
        "nproc_extra": EXTRA_PROCESSES,
    }


def worker_user(user: str | int | None) -> tuple[int, int] | None:
    """The (uid, gid) the worker drops to: only when we are root, and never root itself.

    A user name must exist; a bare uid need not (its gid is then the same number), so that
    sandboxes running side by side can each have a user of their own.
    """
    if not AS_ROOT or user is None:
        return None
    import pwd

    try:
        entry = pwd.getpwuid(user) if isinstance(user, int) else pwd.getpwnam(user)
        uid, gid = entry.pw_uid, entry.pw_gid
    except KeyError:
        if not isinstance(user, int):
            raise ValueError(f"no such user for the sandbox worker: {user!r}") from None
        uid = gid = user
    if uid == 0 or gid == 0:
        raise ValueError("the sandbox worker must not run as root")
    return uid, gid


_PR_SET_DUMPABLE, _PR_SET_CHILD_SUBREAPER = 4, 36
_hardened = False
_sandboxes_open = 0


def harden_trusted_process() -> None:
    """Make the grading process not dumpable (Linux; once, for good).

    Then a worker running as our own user (when we are not root) cannot read our memory,
    environment or open files through /proc/<pid>/, nor attach a debugger.
    """
    global _hardened
    if not _hardened and LINUX:
        _prctl(_PR_SET_DUMPABLE, 0)
        _hardened = True


def adopt_orphans(adopt: bool) -> None:
    """Be a child subreaper while at least one sandbox is open (Linux).

    Processes a submission detaches are then re-parented to us rather than to init, should
    their reaper die (it can only be killed when we are not root), so `kill_tree` still finds
    and reaps them. Switched off again when the last sandbox closes: a long-lived process must
    not collect the orphans of unrelated programs it started.
    """
    global _sandboxes_open
    _sandboxes_open += 1 if adopt else -1
    if LINUX and _sandboxes_open == (1 if adopt else 0):
        _prctl(_PR_SET_CHILD_SUBREAPER, 1 if adopt else 0)


def _prctl(option: int, value: int) -> None:
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


def protected_folders() -> list[Path]:
    """The folders the worker's user must not read: the reference solutions and the suites.

    When the grader runs from a source checkout, its `.git` (which holds the solutions too) and
    `tests/` (whose golden cases include correct submissions) are protected as well.
    """
    folders = []
    for name in ("solutions", "grader.suites"):
        spec = importlib.util.find_spec(name)
        folders += [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file():
        folders += [d for d in (checkout / ".git", checkout / "tests") if d.is_dir()]
    return folders


def protect_reference() -> None:
    """As root, make the protected folders unreadable to everybody else (mode 0700)."""
    if not AS_ROOT:
        return
    for folder in protected_folders():
        mode = folder.stat().st_mode & 0o777
        if mode & 0o077:
            folder.chmod(mode & 0o700)


def kill_tree(proc: subprocess.Popen, token: str) -> None:
    """SIGKILL the worker's whole tree, reap it, and leave nothing behind.

    On Linux `proc` is the worker's reaper (see child.py): everything the submission started,
    detached or not, is below it, so killing its descendants again and again (fork bombs) and
    then the reaper is complete. If the reaper died early (only possible when we are not root),
    its orphans came to us as the subreaper; they carry the sandbox's token in their environment.
    We reap only processes of this tree, never another child of the grading process.
    """
    killed: dict[int, int] = {}  # pid -> session
    if LINUX:
        killed = proctree.kill_descendants(proc.pid)
    if proc.returncode is None:  # not reaped yet, so its pid (= its group) is still its own
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its session (all there is to kill off Linux)
        except OSError:
            pass
    proc.wait()
    if not LINUX:
        return
    _kill_marked_orphans(token, killed)
    # Reap what came to us: the killed processes, and zombies of the tree's sessions (those
    # that had already died when the reaper did, e.g. the middle process of a double fork).
    sessions = {proc.pid, *killed.values()}
    zombies = {
        pid
        for pid, (ppid, state, session) in proctree.processes().items()
        if ppid == os.getpid() and state == "Z" and session in sessions
    }
    for pid in zombies | set(killed):
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def _kill_marked_orphans(token: str, killed: dict[int, int]) -> None:
    """Kill our descendants whose environment carries `token` (orphans of a dead reaper)."""
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    for _ in range(100):
        table = proctree.processes()
        found = set()
        for pid in proctree.descendants(os.getpid(), table):
            if table[pid][1] == "Z":
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    environ = f.read()
            except OSError:
                continue
            if marker in environ.split(b"\0"):
                found.add(pid)
        if not found:
            return
        proctree.kill(found, table, killed)
