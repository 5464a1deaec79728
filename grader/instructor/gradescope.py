"""`grade gradescope FILE.zip`: an autograder bundle following Gradescope's specification.

Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once (as root) to build the
image and `run_autograder` for every submission, which must leave
/autograder/results/results.json. The bundle is this grader (hidden suite and solutions
included, the solutions as `grader/solutions/`: nothing called `solutions` lands at the top of
site-packages) with a pyproject.toml of its own, so `setup.sh` can `pip install` it; both
scripts are templates in `templates/`, and every /autograder path in them can be overridden by an
environment variable (AUTOGRADER_ROOT, GRADER_SUBMISSION_DIR, GRADER_RESULTS_DIR, GRADER_VENV,
...) so that a test can run them on a simulated tree.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.defaults import GRADESCOPE_VISIBILITY
from grader.formats import Visibility
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


def scripts(*, visibility: Visibility, per_check: bool) -> dict[str, str]:
    """setup.sh and run_autograder, filled in: the bundle's choices and the oldest Python."""
    oldest = source.requirements()[0].removeprefix(">=").strip()
    values = {
        "@visibility@": visibility,
        "@rows@": "--per-check" if per_check else "",
        "@min_python@": oldest,
        "@min_python_tuple@": ", ".join(oldest.split(".")),
    }
    filled = {}
    for script in SCRIPTS:
        text = (TEMPLATES / script).read_text(encoding="utf-8")
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        filled[script] = text
    return filled


@dataclass(frozen=True)
class Bundle:
    """What `make_bundle` built."""

    path: Path
    files: tuple[str, ...]


def make_bundle(
    path: Path, *, visibility: Visibility = GRADESCOPE_VISIBILITY, per_check: bool = False
) -> Bundle:
    """Write the autograder zip to `path`: setup.sh and run_autograder at its root.

    `visibility` is what Gradescope shows students of the hidden suite's results, and when;
    `per_check` makes one Gradescope test per check instead of one per function.
    """
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
        for script, text in scripts(visibility=visibility, per_check=per_check).items():
            (folder / script).write_text(text, encoding="utf-8")
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
