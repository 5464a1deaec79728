"""Where a grading keeps its scratch, and how what a stopped grading left is found and removed.

All scratch lives in one folder per user: `<tmp>/gd-autograder-<uid>/` (`tempfile.gettempdir()`,
so `TMPDIR` moves it). Each grading (one `Sandbox`) makes a *run* folder there,
`run-<pid>-<random>/`, and holds an exclusive lock on its `.lock` file for as long as it lives;
inside, each worker gets `w<N>/` with its copy of the submission and its home. The run is
removed when the sandbox closes. When a grading is stopped instead (SIGKILL, a batch's wall
limit, a reboot), the lock goes with its process: the next grading on the machine, or the batch
that stopped it, finds the run unlocked and removes it. A live grading's run is never touched
(its lock is held), nor anything in the folder that is not a run.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path

PREFIX = "gd-autograder-"
RUN_PREFIX = "run-"
LOCK = ".lock"
#: A run folder without a lock file is being made; one older than this was abandoned.
UNLOCKED_GRACE_SECONDS = 60.0

try:
    import fcntl
except ImportError:  # Windows: runs are still removed on close; stale ones by age alone
    fcntl = None


def base() -> Path:
    """This user's scratch folder, made if missing, refused if it is not safely ours."""
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    folder = Path(tempfile.gettempdir()) / f"{PREFIX}{uid if uid is not None else 'user'}"
    # As root the workers (other uids) must pass through it; nobody else may list or write.
    mode = 0o711 if uid == 0 else 0o700
    try:
        folder.mkdir(mode=mode)
    except FileExistsError:
        pass
    st = folder.lstat()
    if uid is not None and (not stat.S_ISDIR(st.st_mode) or st.st_uid != uid or st.st_mode & 0o022):
        raise OSError(
            f"{folder} is not a private folder of this user; remove it or set TMPDIR elsewhere"
        )
    if stat.S_IMODE(st.st_mode) != mode and uid is not None:
        folder.chmod(mode)
    return folder


class Run:
    """One grading's scratch folder, locked while this process (or a fork of it) lives."""

    def __init__(self) -> None:
        sweep_stale()
        self.root = Path(tempfile.mkdtemp(prefix=f"{RUN_PREFIX}{os.getpid()}-", dir=base()))
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            self.root.chmod(0o711)  # the workers (other uids) pass through to their own folder
        # Locked before it takes its name: a sweep that finds `.lock` never finds it unlocked
        # while this grading lives.
        unnamed = self.root / f"{LOCK}-{os.getpid()}"
        self._lock = os.open(unnamed, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        if fcntl is not None:
            fcntl.flock(self._lock, fcntl.LOCK_EX)
        os.replace(unnamed, self.root / LOCK)
        self._count = 0

    def new_folder(self, mode: int = 0o700) -> Path:
        """A fresh folder for one worker (`w1`, `w2`, ...)."""
        self._count += 1
        folder = self.root / f"w{self._count}"
        folder.mkdir(mode=mode)
        return folder

    def remove(self) -> None:
        """Delete the run (whatever its workers did to the modes inside), then unlock."""
        remove_tree(self.root)
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1


def sweep_stale(folder: Path | None = None) -> list[Path]:
    """Remove the runs in `folder` (default: this user's) whose grading is gone; returns them.

    A run is gone when nobody holds its lock. Entries that are not runs are left alone.
    """
    try:
        folder = base() if folder is None else folder
        entries = list(os.scandir(folder))
    except OSError:
        return []
    removed = []
    for entry in entries:
        if not entry.name.startswith(RUN_PREFIX) or not entry.is_dir(follow_symlinks=False):
            continue
        if _abandoned(Path(entry.path)):
            remove_tree(Path(entry.path))
            removed.append(Path(entry.path))
    return removed


def _abandoned(run: Path) -> bool:
    try:
        fd = os.open(run / LOCK, os.O_RDWR | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        try:  # being made right now, or left by a grading killed before it locked
            return time.time() - run.lstat().st_mtime > UNLOCKED_GRACE_SECONDS
        except OSError:
            return False
    except OSError:
        return False
    try:
        if fcntl is None:
            return time.time() - os.fstat(fd).st_mtime > 24 * 3600
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # held: a live grading
        return True
    finally:
        os.close(fd)  # releases our lock, if we took it


def remove_tree(path: Path) -> None:
    """`rm -rf path`, also when a submission made folders inside unwritable or unlistable."""

    def retry(function, name, _exc) -> None:
        parent = os.path.dirname(name)
        try:
            os.chmod(parent, 0o700)
            if os.path.isdir(name) and not os.path.islink(name):
                os.chmod(name, 0o700)
                remove_tree(Path(name))
            else:
                function(name)
        except OSError:
            pass

    if path.is_symlink() or not path.exists():
        try:
            path.unlink()
        except OSError:
            pass
        return
    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=retry)
    else:
        shutil.rmtree(path, onerror=retry)
