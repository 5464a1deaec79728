"""Notebooks as submissions: `<module>.ipynb` graded as if it were `<module>.py` (CONTRACT §5).

The trusted side reads a notebook with nbformat and keeps, without running anything, the code
its functions need (`select.py`); the module made of it (`module.py`) runs in the worker like a
student's module, and the report says once, per exercise, what was left out (`conversion.py`).

- `modules_for(files)`: the `<module>.py` files to add to the worker's private copy (called by
  `grader/sandbox/workdir.py` where it makes that copy);
- `read_folder(folder)` and `annotate(report, conversions)`: the notes in the report
  (`grader/runner.py`);
- `check.py`: the check a student runs from inside the notebook.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from grader.notebooks.conversion import Conversion, convert

if TYPE_CHECKING:
    from grader.report import Report

__all__ = ["Conversion", "annotate", "convert", "modules_for", "read_folder"]

SUFFIX = ".ipynb"
#: A notebook larger than this is not read (the private copy caps each file at 8 MiB too).
MAX_BYTES = 8 << 20


def _exercises() -> dict[str, tuple[str, ...]]:
    from grader.course import load_course

    return {e.module: tuple(f.name for f in e.functions) for e in load_course().exercises}


def modules_for(files: dict[str, tuple]) -> dict[str, tuple[bytes, int, int, int]]:
    """For each `<module>.ipynb` at the top of a snapshot without its `<module>.py`, that module.

    `files` maps relative paths to `(data, mode, uid, gid)` (`workdir.Snapshot.files`); the
    answer has the same shape, for the files to add to the private copy.
    """
    made = {}
    for module, functions in _exercises().items():
        entry = files.get(module + SUFFIX)
        if entry is not None and f"{module}.py" not in files:
            made[f"{module}.py"] = (
                convert(module, functions, entry[0]).source.encode(),
                0o644,
                0,
                0,
            )
    return made


def read_folder(folder: Path) -> dict[str, Conversion | str]:
    """What the grader makes of the notebooks in `folder`, by exercise; a note instead of a
    conversion where a `.py` of the same exercise is graded instead of the notebook."""
    found: dict[str, Conversion | str] = {}
    for module, functions in _exercises().items():
        data = _read_regular(Path(folder) / (module + SUFFIX))
        if data is None:
            continue
        module_file = Path(folder) / f"{module}.py"
        if module_file.is_file() and not module_file.is_symlink():
            found[module] = (
                f"Both {module}.py and {module}{SUFFIX} are in the submission: the grader graded "
                f"{module}.py and did not open the notebook."
            )
        else:
            found[module] = convert(module, functions, data)
    return found


def annotate(report: Report, found: dict[str, Conversion | str]) -> None:
    """Put each exercise's notebook note in the report, and name the notebook, not the module
    made from it, in what the student reads."""
    for exercise in report.exercises:
        what = found.get(exercise.name)
        if what is None:
            continue
        if isinstance(what, str):
            exercise.notebook = {"file": exercise.name + SUFFIX, "graded": False, "note": what}
            continue
        exercise.notebook = {"file": what.notebook, "graded": True, "note": what.note}
        for test in exercise.tests:
            # An unreadable notebook's module only raises: the note says it all, once.
            test.feedback = _renamed(test.feedback, exercise.name) if what.readable else what.note
            test.output = _renamed(test.output, exercise.name)


def _renamed(text: str, module: str) -> str:
    return text.replace(f"your {module}.py", f"your notebook {module}{SUFFIX}").replace(
        "in your module.", f"in your notebook {module}{SUFFIX}."
    )


def _read_regular(path: Path) -> bytes | None:
    """The bytes of a plain file (no symlink followed, at most MAX_BYTES), else None."""
    try:
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
    except OSError:
        return None
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        data = f.read(MAX_BYTES + 1)
    return data if len(data) <= MAX_BYTES else None
