"""The worker's private copy of a submission, and putting the original back as it was.

The worker never runs in the folder being graded: each worker gets its own copy of the regular
files (no symlink is followed, sizes are capped) in the grading's scratch run (`scratch.py`).
The same snapshot lets the grader restore the original afterwards if the submission managed to
write into it anyway.
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from grader import notebooks

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
    """One worker's folder in a grading's scratch run: `submission/` (its own copy of the
    submission's files), `home/` (HOME and TMPDIR) and `calls/` (where the grader puts each
    call's array arguments for the worker to map: `arguments.py`).

    Each worker gets a fresh copy, so what one exercise module does to its copy (deleting
    files, changing modes) cannot reach another module's, nor the next worker's after a crash.
    With `owner` (a uid/gid pair, when the worker will drop to that user) both belong to the
    worker's user, and the folder itself only lets it pass through.
    """

    def __init__(self, snapshot: Snapshot, root: Path, owner: tuple[int, int] | None) -> None:
        self.root = root
        self.submission = root / "submission"
        self.home = root / "home"
        self.calls = root / "calls"
        for folder in (self.submission, self.home):
            folder.mkdir(mode=0o700)
        # The grader's: the worker's user may open the files it is given there, not list, add,
        # remove or replace them (as root; otherwise it is the same user anyway).
        self.calls.mkdir(mode=0o711 if owner is not None else 0o700)
        for rel in sorted(snapshot.dirs):
            (self.submission / rel).mkdir(mode=0o700)
        # --- notebooks (issue 14; grader/notebooks/): `<module>.py` made from `<module>.ipynb`,
        # in this copy only (never in the original folder, which `restore` rebuilds).
        files = {**snapshot.files, **notebooks.modules_for(snapshot.files)}
        # ---
        for rel, (data, mode, _, _) in files.items():
            path = self.submission / rel
            path.write_bytes(data)
            path.chmod(mode & 0o755 | 0o600)
        if owner is not None:
            root.chmod(0o711)
            for folder in (self.submission, self.home):
                os.chown(folder, *owner)
            for rel in [*snapshot.dirs, *files]:
                os.chown(self.submission / rel, *owner)


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
