"""Submissions as instructors receive them: folders and zips of a class, nested in various ways.

`find_submissions` lists a class folder; `content_digest` says whether a submission changed
since it was graded. As a script it prints where one submission's exercise modules are
(`grader.submission.submission_root`), for Gradescope's `run_autograder`:

    python -I -m grader.instructor.submissions DIR
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from grader.submission import submission_root


@dataclass(frozen=True)
class Submission:
    """One submission of a class folder: its id (the gradebook's key) and where it is."""

    id: str
    path: Path

    @property
    def is_zip(self) -> bool:
        return self.path.suffix.lower() == ".zip"


def find_submissions(folder: Path, *, exclude: tuple[Path, ...] = ()) -> list[Submission]:
    """Every submission folder and `.zip` directly inside `folder`, sorted by id.

    Hidden entries, symlinks and `exclude` (e.g. an output folder inside `folder`) are skipped.
    A folder and a zip with the same stem keep distinct ids (`alice` and `alice.zip`).
    """
    skip = {p.resolve() for p in exclude}
    entries = sorted(
        p
        for p in Path(folder).iterdir()
        if not p.name.startswith((".", "_")) and not p.is_symlink()
    )
    folders = [
        p for p in entries if p.is_dir() and p.resolve() not in skip and not _is_batch_output(p)
    ]
    zips = [p for p in entries if p.is_file() and p.suffix.lower() == ".zip"]
    taken = {p.name for p in folders}
    found = [Submission(p.name, p) for p in folders]
    found += [Submission(p.name if p.stem in taken else p.stem, p) for p in zips]
    return sorted(found, key=lambda s: s.id)


def _is_batch_output(folder: Path) -> bool:
    """A folder written by `grade batch` (a previous OUTDIR), which is no submission."""
    return (folder / ".batch").is_dir() or (folder / "gradebook.csv").is_file()


def content_digest(path: Path) -> str:
    """SHA-256 of a submission's content: a zip's bytes, or a folder's relative paths and bytes.

    Symlinks are hashed as their target text, never followed.
    """
    digest = hashlib.sha256()
    path = Path(path)
    if path.is_file():
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
        return "sha256:" + digest.hexdigest()
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        links = [d for d in dirnames if Path(dirpath, d).is_symlink()]
        for name in sorted(filenames + links):
            file = Path(dirpath, name)
            digest.update(
                file.relative_to(path).as_posix().encode("utf-8", "surrogateescape") + b"\0"
            )
            if file.is_symlink():
                digest.update(b"link:" + os.readlink(file).encode("utf-8", "surrogateescape"))
            else:
                with file.open("rb") as f:
                    for chunk in iter(lambda f=f: f.read(1 << 20), b""):
                        digest.update(chunk)
            digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -I -m grader.instructor.submissions FOLDER")
    print(submission_root(Path(sys.argv[1])))
