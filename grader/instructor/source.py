"""The instructor's tree and the files taken from it: allow-lists, generated pyproject, zips.

Handouts and bundles are built by *adding* files that an allow-list names, never by copying the
repository and deleting what must not leave it: a file nobody thought about stays behind.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path

import grader
from grader.instructor import layout

#: Where `grader/` lives: the repository (editable install) or site-packages (a regular install).
#: Allow-lists name files as the repository lays them out (`solutions/sgd.py`); an installed
#: grader holds the course folders inside its package, and `locate` finds them there.
ROOT = layout.PACKAGE.parent
DISTRIBUTION = "gd-autograder"
#: Folders and files that are never copied, whatever a pattern says.
NEVER = ("__pycache__", ".pyc", ".pyo", ".egg-info", ".git")
#: A fixed timestamp, so that the same files always give the same zip bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class NotInstructorCopy(Exception):
    """This copy of the grader lacks what the instructor's tools need (solutions, hidden suite)."""


def collect(patterns: Iterable[str], *, root: Path | None = None) -> list[Path]:
    """The files matched by the glob `patterns`, as sorted relative paths.

    Without `root`, patterns and results are paths of the instructor's repository, wherever
    this grader is installed (see `locate`); with it, plain paths under `root`. Symlinks,
    caches, compiled files and dotfiles are never matched.
    """
    found: set[Path] = set()
    for pattern in patterns:
        first, _, rest = pattern.partition("/")
        course = root is None and first in layout.COURSE_FOLDERS
        if course:
            base, logical = layout.course_folder(first), Path(first)
        else:
            base, logical, rest = (root or ROOT), Path(), pattern
        for path in base.glob(rest):
            relative = logical / path.relative_to(base)
            if path.is_symlink() or not path.is_file() or _never(relative):
                continue
            if root is None and not course and _inside_course_folder(path):
                continue  # an installed `grader/solutions/...`: named `solutions/...` instead
            found.add(relative)
    return sorted(found)


def locate(relative: Path) -> Path:
    """Where the file the repository calls `relative` is in this grader."""
    first = Path(relative).parts[0]
    if first in layout.COURSE_FOLDERS:
        return layout.course_folder(first).joinpath(*Path(relative).parts[1:])
    return ROOT / relative


def _inside_course_folder(path: Path) -> bool:
    return any(path.is_relative_to(layout.PACKAGE / name) for name in layout.COURSE_FOLDERS)


def _never(relative: Path) -> bool:
    return any(
        part.startswith(".") or part.endswith(NEVER) or part in NEVER for part in relative.parts
    )


def copy_files(files: Iterable[Path], destination: Path) -> None:
    """Copy each file `collect` named to the same relative path under `destination`, as plain
    readable files: the repository's layout, whichever layout this grader has."""
    for relative in files:
        origin, target = locate(relative), destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)
        target.chmod(0o755 if os.access(origin, os.X_OK) else 0o644)


def requirements() -> tuple[str, list[str]]:
    """`(requires-python, dependencies)` of the grader, from its installed metadata.

    pyproject.toml is their one home; the metadata is what it became when installed.
    """
    meta = importlib.metadata.metadata(DISTRIBUTION)
    dependencies = [
        r for r in importlib.metadata.requires(DISTRIBUTION) or [] if "extra ==" not in r
    ]
    return meta.get("Requires-Python") or ">=3.10", dependencies


#: How an extra's requirement reads in installed metadata: `matplotlib>=3.6; extra == "plot"`.
_EXTRA_REQUIREMENT = re.compile(r'^(?P<requirement>[^;]+?)\s*;\s*extra\s*==\s*"(?P<extra>[^"]+)"$')


def extra_requirements(names: Iterable[str]) -> dict[str, list[str]]:
    """The grader's optional dependencies (`pip install -e ".[plot]"`) named in `names`.

    Like `requirements`, read from the installed metadata of pyproject.toml; an extra that is
    not there is an error, so a handout never offers an extra that installs nothing.
    """
    found: dict[str, list[str]] = {name: [] for name in names}
    for line in importlib.metadata.requires(DISTRIBUTION) or []:
        match = _EXTRA_REQUIREMENT.match(line.strip())
        if match and match["extra"] in found:
            found[match["extra"]].append(match["requirement"])
    missing = sorted(name for name, wanted in found.items() if not wanted)
    if missing:
        raise LookupError(
            f"{DISTRIBUTION} has no extra {', '.join(missing)}: reinstall it "
            "(python -m pip install -e .) after changing pyproject.toml"
        )
    return found


#: The classifier PyPI refuses uploads for: what holds the solutions must never be published.
PRIVATE = "Private :: Do Not Upload"


def pyproject(
    *,
    name: str,
    description: str,
    packages: list[str],
    readme: bool,
    extras: Iterable[str] = (),
    private: bool = False,
) -> str:
    """A pyproject.toml installing `packages` with the `grade` command and the grader's data.

    `extras` names the grader's optional dependencies that it offers too (`.[plot]`);
    `private` adds the classifier that makes PyPI refuse an upload (for what holds the answers).
    """
    python, dependencies = requirements()
    optional = extra_requirements(extras)
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
        *([f"classifiers = [{_toml_string(PRIVATE)}]"] if private else []),
        "",
        *(["[project.optional-dependencies]"] if optional else []),
        *(
            f"{extra} = [" + ", ".join(_toml_string(r) for r in wanted) + "]"
            for extra, wanted in optional.items()
        ),
        *([""] if optional else []),
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
