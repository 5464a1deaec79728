"""Submissions as they arrive: unsafe zips, nested folders, changed content, hostile ids."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from grader.instructor import archive
from grader.instructor.archive import ZipRejected, extract_zip
from grader.instructor.gradebook import _cell
from grader.instructor.submissions import content_digest, find_submissions
from grader.submission import submission_root


def make_zip(path: Path, members: dict[str, bytes], links: dict[str, str] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in dict(links).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def test_a_plain_zip_is_extracted_with_its_folders(tmp_path):
    zipped = make_zip(tmp_path / "s.zip", {"work/sgd.py": b"x = 1\n", "__MACOSX/._sgd.py": b""})
    (tmp_path / "out").mkdir()
    assert extract_zip(zipped, tmp_path / "out") == ["work/sgd.py"]
    assert (tmp_path / "out" / "work" / "sgd.py").read_text() == "x = 1\n"


@pytest.mark.parametrize(
    ("members", "links", "reason"),
    [
        ({"../evil.py": b"x"}, {}, "outside"),
        ({"a/../../evil.py": b"x"}, {}, "outside"),
        ({"/etc/evil.py": b"x"}, {}, "plain relative"),
        ({"C:/evil.py": b"x"}, {}, "plain relative"),
        ({"a\\..\\evil.py": b"x"}, {}, "plain relative"),
        ({}, {"sgd.py": "/etc/passwd"}, "link"),
        ({"big.py": b"0" * (archive.MAX_FILE_BYTES + 1)}, {}, "cap"),
        ({"sgd.py": b"x", "./sgd.py": b"y"}, {}, "twice"),
    ],
)
def test_unsafe_zips_are_rejected_and_nothing_escapes(tmp_path, members, links, reason):
    zipped = make_zip(tmp_path / "s.zip", members, links)
    out = tmp_path / "box" / "out"
    out.mkdir(parents=True)
    with pytest.raises(ZipRejected, match=reason):
        extract_zip(zipped, out)
    assert not list(tmp_path.glob("evil.py")) and not list((tmp_path / "box").glob("evil.py"))
    assert sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) <= archive.MAX_FILE_BYTES


def test_too_many_entries_and_not_a_zip_are_rejected(tmp_path):
    many = make_zip(
        tmp_path / "many.zip", {f"f{i}.py": b"" for i in range(archive.MAX_MEMBERS + 1)}
    )
    (tmp_path / "out").mkdir()
    with pytest.raises(ZipRejected, match="entries"):
        extract_zip(many, tmp_path / "out")
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    with pytest.raises(ZipRejected, match="not a readable zip"):
        extract_zip(tmp_path / "fake.zip", tmp_path / "out")


def test_the_root_is_where_the_exercise_modules_are(tmp_path):
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "sgd.py").write_text("")
    assert submission_root(flat) == flat
    repo = tmp_path / "repo"
    for folder in ("repo-main/exercises", "repo-main/grader", "repo-main/notes"):
        (tmp_path / "repo" / folder).mkdir(parents=True)
    for name in ("batch_gradient.py", "sgd.py"):
        (repo / "repo-main" / "exercises" / name).write_text("")
    (repo / "repo-main" / "notes" / "sgd.py").write_text("")
    assert submission_root(repo) == repo / "repo-main" / "exercises"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert submission_root(empty) == empty


def test_the_digest_follows_the_content_and_ignores_nothing_else(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "sgd.py").write_text("a = 1\n")
    first = content_digest(folder)
    assert content_digest(folder) == first
    (folder / "sgd.py").write_text("a = 2\n")
    assert content_digest(folder) != first
    (folder / "link.py").symlink_to("/etc/passwd")
    assert content_digest(folder) != first  # the link counts, its target is not read


def test_a_class_folder_lists_folders_and_zips_by_id(tmp_path):
    for name in ("bob", "alice", ".git", "_build", "out"):
        (tmp_path / name).mkdir()
    make_zip(tmp_path / "carol.zip", {"sgd.py": b""})
    make_zip(tmp_path / "alice.zip", {"sgd.py": b""})
    (tmp_path / "notes.txt").write_text("")
    found = find_submissions(tmp_path, exclude=(tmp_path / "out",))
    assert [name for name, _ in found.skipped] == ["_build", "notes.txt", ".git"]
    assert [(s.id, s.path.name) for s in found.submissions] == [
        ("alice", "alice"), ("alice.zip", "alice.zip"), ("bob", "bob"), ("carol", "carol.zip"),
    ]  # fmt: skip


def test_gradebook_cells_never_run_as_formulas():
    assert _cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert _cell("+1") == "'+1" and _cell("alice") == "alice" and _cell(12.5) == "12.5"
