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
import time
from pathlib import Path

from grader import private
from grader.sandbox import proctree

LINUX = sys.platform == "linux"
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

FILE_BYTES = 16 << 20  # RLIMIT_FSIZE: the biggest file a submission may write
EXTRA_PROCESSES = 64  # RLIMIT_NPROC above what the worker's user already runs: fork bombs stop here
KEPT_IF_SET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")  # some CPUs need them for correct results
TOKEN_VARIABLE = "GD_SANDBOX"  # marks the worker's processes (see `kill_tree`)
REAP_SECONDS = 0.5  # how long `kill_tree` waits for a killed process to be reapable


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


#: The worker's user meaning "a uid of its own for this grading" (see `unused_uid`).
PRIVATE_USER = "private"
#: What `PRIVATE_USER` falls back to where no unused uid can be had (a rootless container).
FALLBACK_USER = "nobody"
#: Top-level modules a submission may never import, whatever their origin (grader/private.py;
#: the worker's guard is grader/sandbox/worker/imports.py).
REFUSED_IMPORTS = private.NOT_FOR_SUBMISSIONS


#: A folder the worker may create and write files in, but not read or list: for harnesses
#: that collect evidence from inside (the project's hostile tests). Off unless set.
DROPBOX_VARIABLE = "GRADE_SANDBOX_DROPBOX"


def dropbox() -> str | None:
    """The write-only folder of DROPBOX_VARIABLE, if set to an existing folder."""
    path = os.environ.get(DROPBOX_VARIABLE)
    return os.path.realpath(path) if path and os.path.isdir(path) else None


def worker_user(user: str | int | None) -> tuple[int, int] | None:
    """The (uid, gid) the worker drops to: only when we are root, and never root itself.

    A user name must exist; a bare uid need not (its gid is then the same number), so that
    sandboxes running side by side can each have a user of their own. `PRIVATE_USER` is a uid
    nobody else has, picked anew for each sandbox: nothing of one grading's user can be there
    when the next grading starts.
    """
    if not AS_ROOT or user is None:
        return None
    import pwd

    if user == PRIVATE_USER:
        user = unused_uid() or FALLBACK_USER
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


#: Where `unused_uid` picks from: far above any account, and apart from `grade batch`'s uids.
PRIVATE_UIDS = (1_600_000_000, 2_000_000_000)


def unused_uid() -> int | None:
    """A uid (and gid) for the workers of one grading, when we are root; None otherwise.

    It has no account, no process runs as it, and our user namespace maps it (a rootless
    container maps only a few thousand ids: then None, and the caller keeps its default user).
    Submissions graded at the same time on one machine, and the private copies a killed grading
    left behind, then belong to different users and cannot be read or signalled.
    """
    if not AS_ROOT:
        return None
    import pwd
    import random

    lo, hi = PRIVATE_UIDS
    for map_file in ("/proc/self/uid_map", "/proc/self/gid_map"):
        ranges = _id_ranges(map_file)
        if ranges is not None:
            inside = [(max(lo, a), min(hi, b)) for a, b in ranges if min(hi, b) > max(lo, a)]
            if not inside:
                return None
            lo, hi = max(inside, key=lambda r: r[1] - r[0])
    pick = random.SystemRandom()
    for _ in range(20):
        uid = pick.randrange(lo, hi)
        try:
            pwd.getpwuid(uid)
            continue  # somebody's account
        except KeyError:
            pass
        if proctree.count_user_processes(uid) == 0:
            return uid
    return None


def _id_ranges(map_file: str) -> list[tuple[int, int]] | None:
    """The ids our user namespace maps, as [start, end) ranges; None without the file."""
    try:
        with open(map_file) as f:
            rows = [line.split() for line in f]
    except OSError:
        return None
    return [(int(r[0]), int(r[0]) + int(r[2])) for r in rows if len(r) == 3]


#: World-writable folders where a worker can leave files behind (its own copy and home are
#: deleted anyway): swept after grading when the worker's uid is one of its own.
SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
_SWEEP_DEPTH, _SWEEP_ENTRIES = 8, 100_000


def remove_files_of(uid: int, folders: tuple[str, ...] = SHARED_FOLDERS) -> list[str]:
    """Delete what `uid` left in the world-writable `folders`, once its processes are gone.

    Only for a uid without an account (`unused_uid`, `grade batch`'s): nobody else owns files
    as it, so everything it owns there is the submission's. Folders of other users are entered
    only when world-writable (the only ones `uid` could write into). Returns what was removed.
    """
    import pwd
    import shutil
    import stat

    try:
        pwd.getpwuid(uid)
        return []  # a real account (e.g. nobody): its files are not all ours to delete
    except KeyError:
        pass
    removed: list[str] = []
    budget = [_SWEEP_ENTRIES]

    def sweep(folder: str, depth: int) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            budget[0] -= 1
            if budget[0] < 0:
                return
            try:
                st = entry.stat(follow_symlinks=False)
                if st.st_uid == uid:
                    if stat.S_ISDIR(st.st_mode):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)
                    removed.append(entry.path)
                elif stat.S_ISDIR(st.st_mode) and st.st_mode & 0o002 and depth < _SWEEP_DEPTH:
                    sweep(entry.path, depth + 1)
            except OSError:
                continue

    for folder in folders:
        sweep(folder, 0)
    return removed


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


def become_subreaper() -> None:
    """Adopt the orphans below us for good (Linux): a zygote's owner, whose reapers are
    re-parented to it (see `process.Zygote`). Not inherited by forks."""
    if LINUX:
        _prctl(_PR_SET_CHILD_SUBREAPER, 1)


_confined: bool | None = None
#: `GRADE_SANDBOX_LANDLOCK=off` grades as on a kernel without Landlock: the fallbacks run
#: (the project's tests of them; an instructor comparing). Any other value changes nothing.
LANDLOCK_VARIABLE = "GRADE_SANDBOX_LANDLOCK"


def filesystem_confined() -> bool:
    """Whether workers here are confined by Landlock (Linux 5.13+), so that nothing needs
    hiding by file permissions. Asked of the kernel once."""
    global _confined
    if os.environ.get(LANDLOCK_VARIABLE, "").lower() == "off":
        return False
    if _confined is None:
        from grader.sandbox.worker import landlock

        _confined = LINUX and landlock.abi_version() > 0
    return _confined


def _prctl(option: int, value: int) -> None:
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


#: Instructor-only packages (see INSTRUCTOR_ONLY in grader/instructor/release.py).
PROTECTED_PACKAGES = private.PACKAGES
#: Instructor-only modules inside packages the handout ships: a working copy of the descents.
PROTECTED_MODULES = private.MODULES


def protected_folders() -> list[Path]:
    """What the worker's user must not read: the reference, the suites, instructor-only code.

    That is the instructor-only packages and modules (compiled copies included) wherever the
    grader is installed. When the grader runs from a source checkout, it is everything at the
    top of the checkout but the grader's own package (`solutions/`, `tests/` whose golden cases
    include correct submissions, `.git`, a `build/` left by a non-editable install, ...): only
    an entry that holds the Python or NumPy the worker runs stays open.
    """
    paths: list[Path] = []
    for name in PROTECTED_PACKAGES:
        spec = importlib.util.find_spec(name)
        paths += [Path(p) for p in (spec.submodule_search_locations or [])] if spec else []
    package = Path(__file__).resolve().parents[1]
    for name in PROTECTED_MODULES:
        source = package.joinpath(*name.split(".")[1:]).with_suffix(".py")
        paths += [source, *source.parent.glob(f"__pycache__/{source.stem}.*.pyc")]
    checkout = package.parent
    if (checkout / "pyproject.toml").is_file():
        needed = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)]
        needed += [Path(np_dir) for np_dir in _numpy_dirs()]
        paths += [
            entry
            for entry in checkout.iterdir()
            if entry != package and not any(n.is_relative_to(entry.resolve()) for n in needed)
        ]
    return [p for p in paths if p.exists() and not p.is_symlink()]


def _numpy_dirs() -> list[str]:
    spec = importlib.util.find_spec("numpy")
    return list(spec.submodule_search_locations or []) if spec else []


def protect_reference() -> list[Path]:
    """As root, make the protected files and folders unreadable to everybody else (go-rwx).

    The fallback where Landlock is missing. Returns what it changed (empty when everything was
    protected already), so that the grader can say so the first time.
    """
    if not AS_ROOT:
        return []
    changed = []
    for path in protected_folders():
        mode = path.stat().st_mode & 0o7777
        if mode & 0o077:
            path.chmod(mode & 0o7700)
            changed.append(path)
    return changed


def kill_tree(
    proc: subprocess.Popen,
    token: str,
    keep: frozenset[int] = frozenset(),
    adopter: int | None = None,
) -> None:
    """SIGKILL the worker's whole tree, reap it, and leave nothing behind.

    On Linux `proc` is the worker's reaper (see child.py): everything the submission started,
    detached or not, is below it, so killing its descendants again and again (fork bombs) and
    then the reaper is complete. If the reaper died early (only possible when we are not root),
    its orphans came to us as the subreaper; they carry the sandbox's token in their environment.
    We reap only processes of this tree, never another child of the grading process, and the
    trees of `keep` (the reapers of the sandbox's other workers, which carry the same token)
    are left alone. `adopter` is who adopts the tree's orphans when that is not us (the owner
    of the zygote that forked the reaper): the orphans are looked for below it, and reaped by it.
    """
    killed: dict[int, int] = {}  # pid -> session
    if LINUX:
        killed = proctree.kill_descendants(proc.pid)
    if proc.returncode is None:  # not reaped yet, so its pid (= its group) is still its own
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # its session (all there is to kill off Linux)
        except OSError:
            pass
    try:
        proc.wait(timeout=REAP_SECONDS)
    except subprocess.TimeoutExpired:
        pass  # held by a tracer (see below); its zombie comes to us when the tracer is gone
    if not LINUX:
        return
    _kill_marked_orphans(token, killed, keep, root=os.getpid() if adopter is None else adopter)
    if adopter is not None:
        return  # the adopter reaps them, once we are done
    # Reap what came to us: the killed processes, and zombies of the tree's sessions (those
    # that had already died when the reaper did, e.g. the middle process of a double fork).
    sessions = {proc.pid, *killed.values()}
    zombies = {
        pid
        for pid, (ppid, state, session) in proctree.processes().items()
        if ppid == os.getpid() and state == "Z" and session in sessions
    }
    _reap(zombies | set(killed))


def _reap(pids: set[int]) -> None:
    """Reap those of `pids` that are our children, waiting at most REAP_SECONDS.

    Never a blocking wait: a dead process that another process of the submission still traces
    (ptrace) stays a zombie its parent cannot reap until that tracer is gone, and a grader
    waiting for it would wait for ever (as a normal user, a worker can trace its siblings).
    """
    deadline = time.monotonic() + REAP_SECONDS
    while pids:
        for pid in list(pids):
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    pids.discard(pid)
            except ChildProcessError:
                pids.discard(pid)  # not ours, or reaped already
        if not pids or time.monotonic() > deadline:
            return
        time.sleep(0.005)


def kill_marked(token: str, *, root: int, keep: frozenset[int] = frozenset()) -> None:
    """Kill every process below `root` whose environment carries `token`, but those of `keep`
    and below them (what a failed group of workers left, see `process._Group`)."""
    _kill_marked_orphans(token, {}, keep, root=root)


def _kill_marked_orphans(
    token: str, killed: dict[int, int], keep: frozenset[int], *, root: int
) -> None:
    """Kill the descendants of `root` (us, or who adopts for us) whose environment carries
    `token` (orphans of a dead reaper), except the processes `keep` and everything below them."""
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    for _ in range(100):
        table = proctree.processes()
        spared = set(keep)
        for pid in keep:
            spared |= proctree.descendants(pid, table)
        found = set()
        for pid in proctree.descendants(root, table) - spared:
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
