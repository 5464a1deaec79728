"""The instructor's tree and the files taken from it: allow-lists, generated pyproject, zips.

Handouts and bundles are built by *adding* files that an allow-list names, never by copying the
repository and deleting what must not leave it: a file nobody thought about stays behind.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path

import grader

#: Where `grader/`, `exercises/` and `solutions/` live: the repository (editable install) or
#: site-packages (a regular install); the allow-lists below are relative to it.
ROOT = Path(grader.__file__).resolve().parent.parent
DISTRIBUTION = "gd-autograder"
#: Folders and files that are never copied, whatever a pattern says.
NEVER = ("__pycache__", ".pyc", ".pyo", ".egg-info", ".git")
#: A fixed timestamp, so that the same files always give the same zip bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class NotInstructorCopy(Exception):
    """This copy of the grader lacks what the instructor's tools need (solutions, hidden suite)."""


def collect(patterns: Iterable[str], *, root: Path = ROOT) -> list[Path]:
    """The files under `root` matched by the glob `patterns`, as sorted relative paths.

    Symlinks, caches, compiled files and dotfiles are never matched.
    """
    found: set[Path] = set()
    for pattern in patterns:
        for path in root.glob(pattern):
            relative = path.relative_to(root)
            if path.is_symlink() or not path.is_file() or _never(relative):
                continue
            found.add(relative)
    return sorted(found)


def _never(relative: Path) -> bool:
    return any(
        part.startswith(".") or part.endswith(NEVER) or part in NEVER for part in relative.parts
    )


def copy_files(files: Iterable[Path], destination: Path, *, root: Path = ROOT) -> None:
    """Copy each relative path from `root` to `destination`, as plain readable files."""
    for relative in files:
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / relative, target)
        target.chmod(0o755 if os.access(root / relative, os.X_OK) else 0o644)


def requirements() -> tuple[str, list[str]]:
    """`(requires-python, dependencies)` of the grader, from its installed metadata.

    pyproject.toml is their one home; the metadata is what it became when installed.
    """
    meta = importlib.metadata.metadata(DISTRIBUTION)
    dependencies = [
        r for r in importlib.metadata.requires(DISTRIBUTION) or [] if "extra ==" not in r
    ]
    return meta.get("Requires-Python") or ">=3.10", dependencies


def pyproject(*, name: str, description: str, packages: list[str], readme: bool) -> str:
    """A pyproject.toml installing `packages` with the `grade` command and the grader's data."""
    python, dependencies = requirements()
    lines = [
        "[build-system]",
        'requires = ["setuptools>=64"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f'name = "{name}"',
        f'version = "{grader.__version__}"',
        f"description = {_toml_string(description)}",
        *(['readme = "README.md"'] if readme else []),
        f'requires-python = "{python}"',
        "dependencies = [",
        *(f"    {_toml_string(d)}," for d in dependencies),
        "]",
        "",
        "[project.scripts]",
        'grade = "grader.cli:main"',
        "",
        "[tool.setuptools.packages.find]",
        "include = [" + ", ".join(_toml_string(p) for p in packages) + "]",
        "",
        "[tool.setuptools.package-data]",
        'grader = ["course.toml", "py.typed", "schema/*.json", "suites/pytest.ini"]',
        "",
    ]
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_zip(folder: Path, archive: Path, *, prefix: str = "") -> None:
    """Zip every file under `folder` into `archive` (paths under `prefix`), reproducibly.

    Entries are sorted and carry a fixed date, so the same files give the same bytes. The
    archive is written beside its final name and renamed, never left half-written.
    """
    archive = Path(archive)
    partial = archive.with_name(f".{archive.name}.partial")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            relative = path.relative_to(folder).as_posix()
            info = zipfile.ZipInfo(f"{prefix}{relative}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if path.stat().st_mode & stat.S_IXUSR else 0o644
            info.external_attr = (stat.S_IFREG | mode) << 16
            zf.writestr(info, path.read_bytes())
    os.replace(partial, archive)
