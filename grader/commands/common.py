"""What the verbs share: the common options, and checks of the paths a person typed.

Every check raises `click.UsageError` (exit status 2) with one sentence that says what is
wrong and what to do, before any time is spent on grading.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import click

from grader import defaults

DEFAULT_PATH = "exercises"
SUITE_CHOICE = click.Choice(["public", "hidden"])
#: False in the student handout, which ships without the instructor's tools.
INSTRUCTOR = importlib.util.find_spec("grader.instructor") is not None


def timeout_option(command):
    """`--timeout SECONDS`: the time limit of one call of the submission's code."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        metavar="SECONDS",
        default=defaults.TIMEOUT,
        show_default=True,
        help="Time limit of one call of the submission's code.",
    )(command)


def instructor_only(verb: str) -> None:
    """Refuse an instructor's verb in the student handout."""
    if not INSTRUCTOR:
        raise click.UsageError(
            f"`grade {verb}` is an instructor's command; it is not part of the student handout."
        )


def holds_exercises(folder: Path) -> bool:
    """Whether `folder` itself holds an exercise module (`.py` or `.ipynb`) of the course."""
    from grader.course import load_course

    modules = [e.module for e in load_course().exercises]
    return any((folder / f"{m}{ext}").is_file() for m in modules for ext in (".py", ".ipynb"))


def check_submission_dir(path: str) -> Path:
    """The submission folder, or a UsageError that says what to do.

    Without PATH, inside the exercises folder itself (no ./exercises, but the exercise files
    here), the current folder is the one to grade.
    """
    folder = Path(path)
    if not folder.exists():
        if path == DEFAULT_PATH and holds_exercises(Path(".")):
            click.echo("Grading this folder: it holds the exercise files.", err=True)
            return Path(".")
        if path == DEFAULT_PATH:
            raise click.UsageError(
                "There is no ./exercises folder here. Run `grade` from the folder that holds "
                "exercises/, or name the submission folder: `grade PATH`."
            )
        raise click.UsageError(f"There is no folder {path!r}. Check the path; see `grade --help`.")
    if not folder.is_dir():
        raise click.UsageError(
            f"{path!r} is a file; `grade` takes the folder that holds batch_gradient.py, sgd.py "
            "and logistic_regression.py."
        )
    return folder


def check_output_file(output: str | None, *, not_inside: Path | None = None) -> Path | None:
    """Refuse an output file that cannot be written, before any time is spent on grading.

    Writability is tried for real (a temporary file in the folder), since `os.access` says yes
    to root even on a read-only file system. A file inside the submission folder is refused:
    the report would overwrite (or become) the student's work.
    """
    if output is None:
        return None
    path = Path(output)
    if path.is_dir():
        raise click.UsageError(f"{output!r} is a folder; give a file name, e.g. report.json.")
    if not_inside is not None and path.resolve().is_relative_to(not_inside.resolve()):
        raise click.UsageError(
            f"{output!r} is inside the submission folder; write it somewhere else, "
            "e.g. -o report.json beside it."
        )
    check_writable_folder(path.parent if str(path.parent) else Path("."), for_what=output)
    return path


def check_writable_folder(folder: Path, *, for_what: str) -> None:
    """A UsageError unless a file can really be created in `folder`."""
    if not folder.is_dir():
        raise click.UsageError(f"{for_what!r}: the folder {str(folder)!r} does not exist.")
    try:
        fd, probe = tempfile.mkstemp(prefix=".grade-write-test-", dir=folder)
    except OSError as problem:
        raise click.UsageError(
            f"{for_what!r}: cannot write in {str(folder)!r} ({problem.strerror})."
        ) from None
    os.close(fd)
    os.unlink(probe)


@contextlib.contextmanager
def writing(what: str) -> Iterator[None]:
    """Turn a failed final write (a full disk, a folder removed meanwhile) into one message."""
    try:
        yield
    except OSError as problem:
        where = f" {problem.filename}" if problem.filename else ""
        raise click.UsageError(f"Could not write {what}{where}: {problem.strerror}.") from None
