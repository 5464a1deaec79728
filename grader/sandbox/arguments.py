"""A call's array arguments in a file the worker maps: the grader sees for itself what changed.

Whether a student's function changed the caller's arrays in place (`w -= eta * dw`) must not be
the worker's word: the submission runs in the worker's process and can patch whatever decides it
there. So the grader appends each call's array arguments to a file of the worker's `calls/`
folder (`ArgumentFile`; `wire.Mapped` nodes say where, from the call's `base`), the worker maps
that file and hands the function arrays on its memory, and after the call the grader reads
those bytes back through the descriptor it wrote them with and compares them with what it wrote
(`Placed.changed`). A write into an argument lands in the file; renaming, deleting or replacing
the file changes nothing the grader reads (it never opens it again by name); writing the old
values back before returning is, for the caller, no change.

Each call's arrays go after the previous call's, never over them, so that an array a submission
kept from an earlier call never changes under it; the file is replaced by a new one past
`ArgumentFile.LIMIT`. Where the grader is root the folder is root's (the worker's user may open
the file it is given, not add, remove or replace one); elsewhere the file's name is random and
it is created exclusively, never through a link. Arrays that cannot be mapped (empty, or not
numbers) cross in the frame as before.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np

from grader.sandbox import wire

ALIGN = 64  # each array starts on a cache line, so that any dtype is aligned
#: Created here and now, never through a link left in its place.
_FLAGS = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_FLAGS |= getattr(os, "O_BINARY", 0)


class Unwritable(Exception):
    """The worker's file could not be written: its user changed the folder (possible only
    where it is the grader's own user)."""


def mappable(value: Any) -> bool:
    """Whether `value` is an argument the grader puts in the worker's file."""
    return (
        type(value) is np.ndarray
        and value.size > 0
        and value.dtype.kind in "biufc"
        and value.dtype.fields is None
    )


class Placed:
    """A call's arguments, each mappable array replaced by a `wire.Mapped` (the same array
    twice, the same node: one array in the worker too); `given_args` and `given_kwargs` are
    the call's own. `request(file)` writes the arrays, `changed()` reads them back."""

    def __init__(self, args: tuple, kwargs: dict) -> None:
        self.given_args, self.given_kwargs = args, kwargs
        self._keys: list[tuple[int | str, int]] = []  # (argument position or name, its id)
        self._data = bytearray()
        self._segments: dict[int, tuple[int, int]] = {}  # id(array) -> (offset, length)
        placed: dict[int, wire.Mapped] = {}
        self.args = tuple(self._place(i, a, placed) for i, a in enumerate(args))
        self.kwargs = {k: self._place(k, a, placed) for k, a in kwargs.items()}
        self._file: ArgumentFile | None = None
        self._base = 0

    def _place(self, key: int | str, value: Any, placed: dict) -> Any:
        if not mappable(value):
            return value
        if id(value) not in placed:
            fortran = value.flags.f_contiguous and not value.flags.c_contiguous
            offset = -len(self._data) % ALIGN + len(self._data)
            data = value.tobytes(order="F" if fortran else "C")
            self._data += bytes(offset - len(self._data)) + data
            placed[id(value)] = wire.Mapped(offset, value.shape, value.dtype.str, fortran)
            self._segments[id(value)] = (offset, len(data))
        self._keys.append((key, id(value)))
        return placed[id(value)]

    def request(self, file: ArgumentFile) -> dict | None:
        """Write the arrays at the end of `file`; what the worker's request says of them (None
        when there are none): the file's path and where this call's arrays start."""
        if not self._segments:
            return None
        self._file, self._base = file, file.append(bytes(self._data))
        return {"path": str(file.path), "base": self._base}

    def changed(self) -> list[int | str]:
        """The positions and names of the arguments whose bytes in the file are not what the
        grader wrote (all of them if the file was cut short)."""
        if self._file is None:
            return []
        now = self._file.read(self._base, len(self._data))
        differ = {
            array
            for array, (offset, length) in self._segments.items()
            if now[offset : offset + length] != self._data[offset : offset + length]
        }
        return [key for key, array in self._keys if array in differ]


class ArgumentFile:
    """One worker's file of call arguments in `folder` (its user's when `owner` is given):
    made at the first call with arrays, appended to by every call, closed with the worker."""

    LIMIT = 64 << 20  # then a new file: one worker's arguments never take more disk than this

    def __init__(self, folder: Path, owner: tuple[int, int] | None) -> None:
        self.folder, self.owner = folder, owner
        self.path: Path | None = None
        self._fd: int | None = None
        self._end = 0

    def append(self, data: bytes) -> int:
        """Write `data` after everything written before; returns where it starts."""
        try:
            if self._fd is None or self._end + len(data) > self.LIMIT:
                self._new_file()
            base = -self._end % ALIGN + self._end
            os.lseek(self._fd, base, os.SEEK_SET)
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as e:
            raise Unwritable(str(e)) from None
        self._end = base + len(data)
        return base

    def read(self, base: int, size: int) -> bytes:
        """`size` bytes from `base`, fewer where the file was cut short."""
        os.lseek(self._fd, base, os.SEEK_SET)
        parts, left = [], size
        while left:
            chunk = os.read(self._fd, left)
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
        return b"".join(parts)

    def _new_file(self) -> None:
        self.close()
        self.path = self.folder / secrets.token_hex(12)
        self._fd = os.open(self.path, _FLAGS, 0o600)
        self._end = 0
        if self.owner is not None:
            os.fchown(self._fd, *self.owner)

    def close(self) -> None:
        """Close the descriptor and remove the file (on Windows, once no worker maps it: the
        grading's scratch folder goes at the end anyway)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.path is not None:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            self.path = None
