"""Unpacking a submitted zip safely: no path escapes, no links, no bombs.

A zip is untrusted data. Each member is checked before anything is written: its name must be a
plain relative path (no absolute path, drive, `..` or backslash tricks), it must be a regular
file or folder (no symlink, no device), not encrypted, and the sizes must stay under caps that
are counted on the bytes actually decompressed, not on what the header claims. Every way a zip
can fail to unpack (a name too long for the file system, a broken member) is a `ZipRejected`
with the reason, never an error of the grader.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path, PurePosixPath

from grader.sandbox import workdir

MAX_MEMBERS = 500
MAX_TOTAL_BYTES = 20 << 20
MAX_FILE_BYTES = 5 << 20
#: The zip file itself; a bigger one cannot unpack to less than MAX_TOTAL_BYTES but by tricks.
MAX_ARCHIVE_BYTES = 2 * MAX_TOTAL_BYTES
#: A file name, a path's depth and its length, as the sandbox's copy accepts them.
MAX_NAME_BYTES = 255
MAX_DEPTH = workdir.MAX_DEPTH
MAX_PATH = workdir.MAX_PATH
_CHUNK = 1 << 16


class ZipRejected(Exception):
    """The zip is unreadable or unsafe; the message says why, for the instructor."""


def extract_zip(archive: Path, destination: Path) -> list[str]:
    """Extract `archive` into the existing empty folder `destination`; return the files written.

    Raises `ZipRejected` on the first unsafe member; what was written so far stays inside
    `destination` (the caller discards it).
    """
    try:
        # Opened without following a link or waiting on a pipe put in the zip's place.
        fd = os.open(archive, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as e:
        raise ZipRejected(f"cannot be opened ({e.strerror})") from None
    file = os.fdopen(fd, "rb")
    try:
        size = os.fstat(fd).st_size
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ZipRejected("not a regular file")
        if size > MAX_ARCHIVE_BYTES:
            raise ZipRejected(f"{size >> 20} MiB; at most {MAX_ARCHIVE_BYTES >> 20} MiB accepted")
        zf = zipfile.ZipFile(file)
    except ZipRejected:
        file.close()
        raise
    except Exception as e:  # zipfile's parser on untrusted bytes (see _copy_member)
        file.close()
        raise ZipRejected(f"not a readable zip file ({e})") from None
    written: list[str] = []
    total = 0
    with file, zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            raise ZipRejected(f"{len(members)} entries; at most {MAX_MEMBERS} are accepted")
        for info in members:
            parts = _safe_parts(info.filename)
            if parts is None:
                continue  # macOS resource forks and the like
            kind = stat.S_IFMT(info.external_attr >> 16)
            if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise ZipRejected(f"{info.filename!r} is a link or special file")
            if info.flag_bits & 0x1:
                raise ZipRejected(f"{info.filename!r} is encrypted")
            target = destination.joinpath(*parts)
            try:
                if info.is_dir() or kind == stat.S_IFDIR:
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise ZipRejected(f"{info.filename!r} cannot be made ({e.strerror})") from None
            total += _copy_member(zf, info, target, budget=MAX_TOTAL_BYTES - total)
            written.append("/".join(parts))
    return written


def _safe_parts(name: str) -> tuple[str, ...] | None:
    """The path components of a member name, None to skip it; ZipRejected if it could escape."""
    if "\0" in name or "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ZipRejected(f"{name!r} is not a plain relative path")
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if ".." in parts:
        raise ZipRejected(f"{name!r} points outside the submission")
    if any(len(p.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES for p in parts) or (
        len(parts) > MAX_DEPTH or len(name) > MAX_PATH
    ):
        raise ZipRejected(f"{name[:60]!r}... is a name too long or too deep for a submission")
    if not parts or parts[0] == "__MACOSX" or parts[-1] == ".DS_Store":
        return None
    return parts


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, *, budget: int) -> int:
    limit = min(MAX_FILE_BYTES, budget)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags, 0o644)
    except FileExistsError:
        raise ZipRejected(f"{info.filename!r} appears twice") from None
    except OSError as e:
        raise ZipRejected(f"{info.filename!r} cannot be written ({e.strerror})") from None
    size = 0
    try:
        with os.fdopen(fd, "wb") as out, zf.open(info) as member:
            while chunk := member.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise ZipRejected(
                        f"{info.filename!r} unpacks to more than the cap "
                        f"({MAX_FILE_BYTES >> 20} MiB a file, {MAX_TOTAL_BYTES >> 20} MiB in all)"
                    )
                out.write(chunk)
    except ZipRejected:
        raise
    except Exception as e:  # zipfile and zlib on untrusted bytes: BadZipFile, zlib.error, a
        # UnicodeDecodeError of a local header's name, "password required"... all the zip's fault
        raise ZipRejected(f"{info.filename!r} cannot be read ({type(e).__name__}: {e})") from None
    return size
