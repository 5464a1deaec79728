"""`grade gradescope FILE.zip`: an autograder bundle following Gradescope's specification.

Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once (as root) to build the
image and `run_autograder` for every submission, which must leave
/autograder/results/results.json. The bundle is this grader (hidden suite and solutions
included, the solutions as `grader/solutions/`: nothing called `solutions` is installed at the
top of site-packages) with a pyproject.toml of its own, so `setup.sh` can `pip install` it; both scripts
are templates in `templates/`, and every /autograder path in them can be overridden by an
environment variable (AUTOGRADER_ROOT, GRADER_SUBMISSION_DIR, GRADER_RESULTS_DIR, GRADER_VENV,
...) so that a test can run them on a simulated tree.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.instructor import source

BUNDLE_FILES = (
    "grader/*.py",
    "grader/course.toml",
    "grader/py.typed",
    "grader/schema/*.json",
    "grader/commands/*.py",
    "grader/sandbox/*.py",
    "grader/sandbox/worker/*.py",
    "grader/notebooks/*.py",
    "grader/suites/*.py",
    "grader/suites/pytest.ini",
    "grader/suites/public/*.py",
    "grader/suites/hidden/*.py",
    "grader/feedback/*.py",
    "grader/instructor/*.py",
    "solutions/*.py",
)
#: What a bundle cannot do without: the scoring suite and what it compares with.
REQUIRED = ("grader/suites/hidden/__init__.py", "solutions/__init__.py")
SCRIPTS = ("setup.sh", "run_autograder")
TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Bundle:
    """What `make_bundle` built."""

    path: Path
    files: tuple[str, ...]


def make_bundle(path: Path) -> Bundle:
    """Write the autograder zip to `path`: setup.sh and run_autograder at its root."""
    files = source.collect(BUNDLE_FILES)
    missing = [name for name in REQUIRED if Path(name) not in files]
    if missing:
        raise source.NotInstructorCopy(
            f"this copy of the grader has no {' and no '.join(missing)}: build the bundle from "
            "the instructor's repository, which holds the hidden suite and the solutions."
        )
    with tempfile.TemporaryDirectory(prefix="grade-gradescope-") as tmp:
        folder = Path(tmp)
        source.copy_files(files, folder)
        (folder / "solutions").rename(folder / "grader" / "solutions")
        for script in SCRIPTS:
            shutil.copyfile(TEMPLATES / script, folder / script)
            (folder / script).chmod(0o755)
        (folder / "pyproject.toml").write_text(
            source.pyproject(
                name=source.DISTRIBUTION,
                description="Gradescope autograder of the gradient-descent exercises.",
                packages=["grader", "grader.*"],
                readme=False,
                private=True,
            ),
            encoding="utf-8",
        )
        source.write_zip(folder, Path(path))
        listing = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return Bundle(path=Path(path), files=tuple(listing))
