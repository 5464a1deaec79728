"""The worker's private copy of a submission, and putting the original back as it was.

The worker never runs in the folder being graded: it gets a copy of the regular files (no
symlink is followed, sizes are capped) in a private temporary folder. The same snapshot lets the
grader restore the original afterwards if the submission managed to write into it anyway.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILES = 2000
MAX_FILE_BYTES = 8 << 20
MAX_TOTAL_BYTES = 64 << 20
MAX_DEPTH = 16  # folders inside folders
MAX_PATH = 1024  # characters of a path inside the submission
SKIPPED_DIRS = frozenset(
    {"__pycache__", ".git", ".hg", ".svn", ".venv", "venv", "node_modules", ".ipynb_checkpoints"}
)


@dataclass
class Snapshot:
    """What a folder held: regular files with content and mode, folders, and what was left out."""

    # path -> (data, mode, uid, gid) and path -> (mode, uid, gid)
    files: dict[str, tuple[bytes, int, int, int]] = field(default_factory=dict)
    dirs: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    left_out: set[str] = field(default_factory=set)  # symlinks, devices, over-size, skipped dirs


def take_snapshot(root: Path) -> Snapshot:
    """Read a folder's regular files (not following symlinks), within the size caps."""
    snap, total = Snapshot(), 0
    todo = [""]
    while todo:
        rel = todo.pop()
        try:
            listing = os.scandir(root / rel) if rel else os.scandir(root)
        except OSError:
            if not rel:
                raise
            snap.left_out.add(rel)  # e.g. a folder its owner cannot read
            del snap.dirs[rel]
            continue
        with listing as entries:
            for entry in entries:
                path = f"{rel}/{entry.name}" if rel else entry.name
                if path.count("/") >= MAX_DEPTH or len(path) > MAX_PATH:
                    snap.left_out.add(path)  # beyond any real submission (and PATH_MAX)
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    snap.left_out.add(path)
                    continue
                if stat.S_ISDIR(st.st_mode) and entry.name not in SKIPPED_DIRS:
                    snap.dirs[path] = (stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
                    todo.append(path)
                    continue
                fits = len(snap.files) < MAX_FILES and st.st_size <= MAX_FILE_BYTES
                data = _read_regular(root / path) if fits and stat.S_ISREG(st.st_mode) else None
                if data is None or total + len(data) > MAX_TOTAL_BYTES:
                    snap.left_out.add(path)
                    continue
                total += len(data)
                snap.files[path] = (data, stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
    return snap


def _holds(folder: int, name: str, data: bytes) -> bool:
    """Whether `name` in the folder `folder` is a regular file holding exactly `data`."""
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return False
    with open(fd, "rb") as f:
        return stat.S_ISREG(os.fstat(f.fileno()).st_mode) and f.read(len(data) + 1) == data


def _read_regular(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        return f.read(MAX_FILE_BYTES + 1)


class PrivateFolder:
    """A temporary folder holding `submission/` (the copy) and `home/` (HOME and TMPDIR).

    With `owner` (a uid/gid pair, when the worker will drop to that user) both belong to the
    worker's user, and the top folder only lets it pass through, not list.
    """

    def __init__(self, snapshot: Snapshot, owner: tuple[int, int] | None) -> None:
        self._snapshot = snapshot
        self._owner = owner
        self.root = Path(tempfile.mkdtemp(prefix="gd-sandbox-"))
        self.submission = self.root / "submission"
        self.home = self.root / "home"
        for folder in (self.submission, self.home):
            folder.mkdir(mode=0o700)
        for rel in sorted(snapshot.dirs):
            (self.submission / rel).mkdir(mode=0o700)
        for rel, (data, mode, _, _) in snapshot.files.items():
            path = self.submission / rel
            path.write_bytes(data)
            path.chmod(mode & 0o755 | 0o600)
        if owner is not None:
            self.root.chmod(0o711)
            for folder in (self.submission, self.home):
                os.chown(folder, *owner)
            for rel in [*snapshot.dirs, *snapshot.files]:
                os.chown(self.submission / rel, *owner)

    def has_module(self, module: str) -> bool:
        """Whether the submission has `module.py` (whatever its code did to the copy since)."""
        return f"{module}.py" in self._snapshot.files

    def refresh(self) -> list[str]:
        """Put back the submission's files that its code deleted or changed in this copy.

        Called before each import, so that a module which deletes files (by mistake or not)
        cannot take the other exercises down with it. Files it added stay. Safe while the
        submission runs: no symlink is followed, and no existing file is written into (a new
        file is renamed over the name). Returns the paths put back.
        """
        put_back = []
        for rel, (data, mode, _, _) in self._snapshot.files.items():
            *parents, name = rel.split("/")
            try:
                folder = self._open_folder(parents)
            except OSError:
                continue
            try:
                if not _holds(folder, name, data):
                    self._replace(folder, name, data, mode & 0o755 | 0o600)
                    put_back.append(rel)
            except OSError:
                pass
            finally:
                os.close(folder)
        return put_back

    def _open_folder(self, parts: list[str]) -> int:
        """A descriptor of submission/<parts...>, made if missing, never through a symlink."""
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        fd = os.open(self.submission, flags)
        for part in parts:
            try:
                try:
                    child = os.open(part, flags, dir_fd=fd)
                except FileNotFoundError:
                    os.mkdir(part, 0o700, dir_fd=fd)
                    child = os.open(part, flags, dir_fd=fd)
                    if self._owner is not None:
                        os.fchown(child, *self._owner)
            finally:
                os.close(fd)
            fd = child
        return fd

    def _replace(self, folder: int, name: str, data: bytes, mode: int) -> None:
        tmp = f".gd-refresh-{os.getpid()}-{name}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                     dir_fd=folder)  # fmt: skip
        try:
            with open(fd, "wb") as f:
                f.write(data)
                os.fchmod(f.fileno(), mode)
                if self._owner is not None:
                    os.fchown(f.fileno(), *self._owner)
            os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        except OSError:
            os.unlink(tmp, dir_fd=folder)
            raise

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def restore(root: Path, snap: Snapshot) -> list[str]:
    """Make `root` hold exactly what `snap` recorded again; returns what had to be repaired.

    Entries the snapshot left out (symlinks, big files, skipped folders) are left alone.
    """
    repaired: list[str] = []
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    present: set[str] = set()
    todo = [""]
    while todo:
        rel = todo.pop()
        try:
            entries = list(os.scandir(root / rel if rel else root))
        except OSError:
            continue
        for entry in entries:
            path = f"{rel}/{entry.name}" if rel else entry.name
            if path in snap.left_out:
                continue
            present.add(path)
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and path in snap.dirs:
                todo.append(path)
            elif not (entry.is_file(follow_symlinks=False) and path in snap.files):
                _remove(root / path, is_dir)  # new, or a different kind of entry than before
                present.discard(path)
                repaired.append(path)
    for rel in sorted(snap.dirs):
        if rel not in present:
            (root / rel).mkdir(exist_ok=True)
            repaired.append(rel)
        mode, uid, gid = snap.dirs[rel]
        _set_meta(root / rel, mode, uid, gid, as_root)
    for rel, (data, mode, uid, gid) in snap.files.items():
        path = root / rel
        if rel in present and _read_regular(path) == data:
            if stat.S_IMODE(path.lstat().st_mode) != mode:
                path.chmod(mode)
            continue
        repaired.append(rel)
        if path.is_symlink():
            path.unlink()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
        with open(fd, "wb") as f:
            f.write(data)
        _set_meta(path, mode, uid, gid, as_root)
    return sorted(set(repaired))


def _remove(path: Path, is_dir: bool) -> None:
    try:
        shutil.rmtree(path) if is_dir else path.unlink()
    except OSError:
        pass


def _set_meta(path: Path, mode: int, uid: int, gid: int, as_root: bool) -> None:
    st = path.lstat()
    if as_root and (st.st_uid, st.st_gid) != (uid, gid):
        os.chown(path, uid, gid, follow_symlinks=False)
    if stat.S_IMODE(st.st_mode) != mode:
        path.chmod(mode)
