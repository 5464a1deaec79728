"""Property-based tests of the batch's intake (Hypothesis): class folders and zips of any shape.

Whatever a class folder holds, listing it ends without an exception and accounts for every
entry (a submission, or skipped with a reason); a submission's digest ends, never opens a pipe
and does not change while the folder does not. Whatever bytes a zip holds, unpacking it writes
inside its destination only and ends in a file list or a `ZipRejected`, never another error.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import tempfile
import warnings
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.instructor.archive import ZipRejected, extract_zip
from grader.instructor.submissions import content_digest, find_submissions

FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

#: File names as bytes: ordinary, not UTF-8, control characters, up to the 255-byte limit.
names = st.one_of(
    st.sampled_from([b"alice", b"sgd.py", b"gradebook.csv", b"summary.md", b".batch", b"reports",
                     b"x.zip", b"_private", b".hidden", b"caf\xe9", b"\x1b[2J", b"a\nb"]),
    st.binary(min_size=1, max_size=12),
    st.integers(200, 255).map(lambda n: b"n" * n),
).filter(lambda b: b"/" not in b and b"\0" not in b and b not in (b".", b".."))  # fmt: skip
kinds = st.sampled_from(["file", "folder", "fifo", "socket", "link", "unreadable", "zip"])
trees = st.recursive(
    st.tuples(names, kinds),
    lambda inner: st.tuples(names, st.lists(inner, max_size=4)),
    max_leaves=12,
)


def build(folder: bytes, tree) -> None:
    """Make `tree` (a (name, kind) leaf or a (name, [children]) folder) under `folder`."""
    name, what = tree
    path = os.path.join(folder, name)
    if os.path.lexists(path) or len(path) > 3000:
        return
    if isinstance(what, list):
        os.mkdir(path)
        for child in what:
            build(path, child)
    elif what == "file":
        Path(os.fsdecode(path)).write_bytes(b"print('hi')\n")
    elif what == "folder":
        os.mkdir(path)
    elif what == "fifo":
        os.mkfifo(path)
    elif what == "socket":
        with tempfile.TemporaryDirectory() as short:
            sock = socket.socket(socket.AF_UNIX)
            sock.bind(os.path.join(short, "s"))
            sock.close()
            os.rename(os.path.join(short, "s"), path)
    elif what == "link":
        os.symlink(b"/dev/zero", path)
    elif what == "unreadable":
        os.mkdir(path)
        os.chmod(path, 0)
    elif what == "zip":
        with zipfile.ZipFile(os.fsdecode(path), "w") as zf:
            zf.writestr("sgd.py", "x = 1\n")


@FUZZ
@given(st.lists(st.tuples(names, st.lists(trees, max_size=3)) | trees, max_size=6))
def test_any_class_folder_is_listed_whole_and_digested(entries):
    root = Path(tempfile.mkdtemp(prefix="gd-intake-fuzz-"))
    try:
        top = os.fsencode(root / "class")
        os.mkdir(top)
        for tree in entries:
            build(top, tree)
        found = find_submissions(Path(os.fsdecode(top)))
        listed = {s.path.name for s in found.submissions} | {n for n, _ in found.skipped}
        assert listed == set(os.listdir(os.fsdecode(top)))  # nothing left out silently
        assert len({s.id for s in found.submissions}) == len(found.submissions)
        for submission in found.submissions:
            assert len(os.fsencode(submission.id)) <= 160
            digest = content_digest(submission.path)
            assert digest == content_digest(submission.path)
    finally:
        os.system(f"chmod -R u+rwx '{root}' 2>/dev/null")
        shutil.rmtree(root, ignore_errors=True)


member_names = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "../x.py",
            "/abs.py",
            "a\\..\\b",
            "C:x",
            "a/./b.py",
            "__MACOSX/x",
            "d/",
            ".DS_Store",
            "x" * 300,
            "/".join(["d"] * 40) + "/f.py",
        ]
    ),  # fmt: skip
)


@st.composite
def zips(draw) -> bytes:
    """A zip made by zipfile with hostile member names and attributes, possibly corrupted."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for _ in range(draw(st.integers(0, 5))):
            info = zipfile.ZipInfo(draw(member_names) or "empty")
            info.external_attr = draw(st.integers(0, 0xFFFFFFFF))
            info.compress_type = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
            info.flag_bits |= draw(st.sampled_from([0, 0, 1]))
            try:
                with warnings.catch_warnings():  # a duplicate name is one of the shapes wanted
                    warnings.simplefilter("ignore")
                    zf.writestr(info, draw(st.binary(max_size=64)))
            except (ValueError, OSError):
                pass
    data = bytearray(buffer.getvalue())
    for _ in range(draw(st.integers(0, 3))):  # a few bytes changed anywhere
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


@FUZZ
@given(zips() | st.binary(max_size=300))
def test_any_zip_is_unpacked_inside_or_rejected(data):
    root = Path(tempfile.mkdtemp(prefix="gd-zip-fuzz-"))
    try:
        archive = root / "s.zip"
        archive.write_bytes(data)
        destination = root / "out" / "submission"
        destination.mkdir(parents=True)
        try:
            written = extract_zip(archive, destination)
        except ZipRejected:
            written = []
        for name in written:
            assert (destination / name).resolve().is_relative_to(destination.resolve())
        outside = {p.name for p in root.iterdir()} | {p.name for p in (root / "out").iterdir()}
        assert outside == {"s.zip", "out", "submission"}
    finally:
        shutil.rmtree(root, ignore_errors=True)
