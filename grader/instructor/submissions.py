"""Submissions as instructors receive them: folders and zips of a class, nested in various ways.

`find_submissions` lists a class folder; `content_digest` says whether a submission changed
since it was graded. As a script it prints where one submission's exercise modules are
(`grader.submission.submission_root`), for Gradescope's `run_autograder`:

    python -I -m grader.instructor.submissions DIR
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.course import load_course
from grader.sandbox import workdir
from grader.submission import submission_root


@dataclass(frozen=True)
class Submission:
    """One submission of a class folder: its id (the gradebook's key) and where it is."""

    id: str
    path: Path

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip"


@dataclass(frozen=True)
class ClassFolder:
    """What a class folder holds: the submissions, and every other entry with why it is not one.

    Nothing is left out silently: `skipped` is said to the instructor (hidden entries, whose
    names start with ".", are listed last).
    """

    submissions: list[Submission]
    skipped: list[tuple[str, str]]


#: The longest id, in bytes: the report's file name is the id plus a suffix and a temporary
#: prefix, and a file name holds at most 255 bytes. A longer name becomes a prefix + digest.
MAX_ID_BYTES = 120
#: Entries a folder's digest looks at one by one; a folder with more is no real submission.
MAX_DIGEST_ENTRIES = 20_000
_KINDS = {stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFLNK: "a symbolic link (never followed)"}  # fmt: skip


def find_submissions(folder: Path, *, exclude: tuple[Path, ...] = ()) -> ClassFolder:
    """Every submission folder and `.zip` directly inside `folder`, sorted by id.

    Only folders and regular `.zip` files are submissions, looked at without following links
    or opening anything (a named pipe, a socket or a device stays untouched). `exclude` (the
    output folder, when inside `folder`) is left out without a word; the output folder of an
    earlier batch, hidden and `_` entries and everything else are listed in `skipped`. A
    folder and a zip with the same stem keep distinct ids (`alice` and `alice.zip`).
    """
    skip = {p.resolve() for p in exclude}
    folders, zips, skipped = [], [], []
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: os.fsencode(e.name))
    for entry in entries:
        path = Path(entry.path)
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as e:
            skipped.append((entry.name, f"cannot be looked at ({e.strerror})"))
            continue
        kind = stat.S_IFMT(mode)
        if stat.S_ISDIR(mode) and path.resolve() in skip:
            continue
        if entry.name.startswith((".", "_")):
            skipped.append((entry.name, "a hidden name (starting with . or _)"))
        elif stat.S_ISDIR(mode):
            if _is_batch_output(path):
                skipped.append((entry.name, "the output of an earlier `grade batch`"))
            else:
                folders.append(path)
        elif stat.S_ISREG(mode) and path.suffix.lower() == ".zip":
            zips.append(path)
        else:
            what = _KINDS.get(kind, "a file")
            skipped.append((entry.name, f"{what}, not a submission folder or .zip"))
    taken = {p.name for p in folders}
    found = [Submission(_id(p.name), p) for p in folders]
    found += [Submission(_id(p.name if p.stem in taken else p.stem), p) for p in zips]
    skipped.sort(key=lambda item: (item[0].startswith("."), os.fsencode(item[0])))
    return ClassFolder(sorted(found, key=lambda s: os.fsencode(s.id)), skipped)


def _id(name: str) -> str:
    """`name`, or for a name too long to be a file name with a suffix, a prefix and a digest."""
    raw = os.fsencode(name)
    if len(raw) <= MAX_ID_BYTES:
        return name
    short = os.fsdecode(raw[: MAX_ID_BYTES - 20]).rstrip()
    return f"{short}...{hashlib.sha256(raw).hexdigest()[:12]}"


def _is_batch_output(folder: Path) -> bool:
    """A folder written by `grade batch` (a previous OUTDIR), which is no submission.

    A submission may hold files of the same names (a `gradebook.csv` of its own): it is told
    apart by its exercise modules, which no output folder holds.
    """
    try:
        layout = (folder / ".batch").is_dir() and (folder / "reports").is_dir()
        return layout and not module_files(submission_root(folder))
    except OSError:  # unreadable: a submission all the same, which its grading rejects, saying so
        return False


def module_files(folder: Path) -> list[str]:
    """The exercise modules (`.py` or `.ipynb`) directly in `folder`, by name."""
    names = [e.filename for e in load_course().exercises]
    names += [Path(n).with_suffix(".ipynb").name for n in names]
    return [n for n in names if (folder / n).is_file()]


# -- what a submission holds, as far as the grader reads it --------------------------------------


def content_digest(path: Path) -> str:
    """SHA-256 of a submission's content: a zip's bytes, or a folder's relative paths and bytes.

    The walk reads what the sandbox copies for grading (`grader.sandbox.workdir`) and nothing
    more: regular files only, opened without following links and without blocking (a named
    pipe is never opened), within the same depth, size and count caps; a link counts by its
    target's text, anything else (a pipe, a socket, a device, an unreadable entry) by its kind,
    and what lies beyond the caps by its size and time. So the digest of any folder ends, and
    soon.
    """
    path = Path(path)
    digest = hashlib.sha256()
    budget = [workdir.MAX_TOTAL_BYTES]
    if stat.S_ISREG(os.lstat(path).st_mode):
        _hash_file(digest, path, os.lstat(path), budget, cap=1 << 62)
        return "sha256:" + digest.hexdigest()
    todo, count = [""], 0
    while todo:
        rel = todo.pop()
        try:
            with os.scandir(path / rel if rel else path) as listing:
                entries = sorted(listing, key=lambda e: os.fsencode(e.name))
        except OSError as e:
            digest.update(b"unreadable folder:" + os.fsencode(rel) + f":{e.errno}\0".encode())
            continue
        for entry in entries:
            name = f"{rel}/{entry.name}" if rel else entry.name
            count += 1
            digest.update(os.fsencode(name) + b"\0")
            if count > MAX_DIGEST_ENTRIES or name.count("/") >= workdir.MAX_DEPTH:
                digest.update(b"beyond the caps\0")
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as e:
                digest.update(f"unreadable:{e.errno}\0".encode())
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name not in workdir.SKIPPED_DIRS:
                    todo.append(name)
                digest.update(b"folder\0")
            elif stat.S_ISLNK(st.st_mode):
                digest.update(b"link:" + os.fsencode(os.readlink(entry.path)) + b"\0")
            elif stat.S_ISREG(st.st_mode):
                _hash_file(digest, Path(entry.path), st, budget, cap=workdir.MAX_FILE_BYTES)
            else:
                digest.update(f"special:{stat.S_IFMT(st.st_mode)}\0".encode())
    return "sha256:" + digest.hexdigest()


def _hash_file(digest, path: Path, st: os.stat_result, budget: list[int], *, cap: int) -> None:
    """A regular file's bytes, or within the caps only its size and time (never blocking)."""
    if st.st_size > min(cap, budget[0]):
        digest.update(f"size:{st.st_size}:{st.st_mtime_ns}\0".encode())
        return
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        digest.update(f"unreadable:{e.errno}\0".encode())
        return
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # swapped since it was looked at
            digest.update(b"special\0")
            return
        for chunk in iter(lambda: f.read(1 << 20), b""):
            budget[0] -= len(chunk)
            digest.update(chunk)
    digest.update(b"\0")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -I -m grader.instructor.submissions FOLDER")
    print(submission_root(Path(sys.argv[1])))
