"""`grade [PATH]`: grade one submission folder and print a summary (the default verb)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from grader import defaults
from grader.formats import FORMATS

DEFAULT_PATH = "exercises"
SUITE_CHOICE = click.Choice(["public", "hidden"])


def check_submission_dir(path: str) -> Path:
    """The submission folder, or a UsageError that says what to do."""
    folder = Path(path)
    if not folder.exists():
        if path == DEFAULT_PATH:
            raise click.UsageError(
                "There is no ./exercises folder here. Run `grade` from the folder that holds "
                "exercises/, or name the submission folder: `grade PATH`."
            )
        raise click.UsageError(
            f"There is no folder {path!r}. Check the path, or run `grade --help`."
        )
    if not folder.is_dir():
        raise click.UsageError(
            f"{path!r} is a file; `grade` takes the folder that holds batch_gradient.py, sgd.py "
            "and logistic_regression.py."
        )
    return folder


def check_output_path(output: str | None) -> Path | None:
    """Refuse an output path that cannot be written before spending time on grading."""
    if output is None:
        return None
    path = Path(output)
    if path.is_dir():
        raise click.UsageError(
            f"--output {output!r} is a folder; give a file name, e.g. report.json."
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise click.UsageError(f"--output {output!r}: the folder {str(parent)!r} does not exist.")
    if not os.access(parent, os.W_OK):
        raise click.UsageError(f"--output {output!r}: the folder {str(parent)!r} is not writable.")
    return path


def clear_planted(path: Path, user: str | int) -> None:
    """Remove what the submission left where the report goes, if that folder was open to it.

    `check_output_path` refused a folder at the report's path before grading, so one now was
    planted; the atomic rename of the report would fail on it. Anything else there (a file, a
    symlink) is replaced by the rename, never followed. Files the worker's own uid left beside
    it go too (the same sweep as in /tmp).
    """
    from grader.sandbox.limits import remove_files_of

    if isinstance(user, int):
        remove_files_of(user, (str(path.parent),))
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)


def worker_user() -> str | int:
    """Who the worker runs as when we are root: a uid of its own, unused by anybody else, so that
    submissions graded at the same time (or a private copy left by a killed grading) cannot see
    or signal each other; the default user (`nobody`) where no such uid can be had."""
    from grader.sandbox.limits import unused_uid

    return unused_uid() or defaults.WORKER_USER


@click.command("grade", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("path", default=DEFAULT_PATH, required=False)
@click.option(
    "--suite",
    type=SUITE_CHOICE,
    default=defaults.SUITE,
    show_default=True,
    help="public: the tests students can read; hidden: the scoring suite.",
)
@click.option("-o", "--output", metavar="FILE", help="Write the JSON score report to FILE.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="native",
    show_default=True,
    help="Flavour of the report written with --output.",
)
@click.option(
    "--fail-under",
    type=click.FloatRange(0, 100),
    metavar="PERCENT",
    help="Exit with status 1 when the score is below PERCENT of the maximum.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    metavar="SECONDS",
    default=defaults.TIMEOUT,
    show_default=True,
    help="Time limit of one call of your code.",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="List every failing test, not one per function."
)
def grade_one(path, suite, output, fmt, fail_under, timeout, verbose) -> None:
    """Grade the submission in PATH (default: ./exercises) and print a summary.

    Exit status: 0 when grading completed, whatever the score; 1 when the score is below
    --fail-under; 2 for a usage error.
    """
    folder = check_submission_dir(path)
    out = check_output_path(output)
    # Imported here so that usage errors and --help answer without loading pytest and NumPy.
    from grader.formats import render
    from grader.report import write_json_atomically
    from grader.runner import SuiteUnavailable, grade_submission
    from grader.summary import summary

    user = worker_user()
    try:
        report = grade_submission(folder, suite=suite, timeout=timeout, user=user)
    except SuiteUnavailable as problem:
        raise click.UsageError(str(problem)) from None
    if out is not None:
        try:
            clear_planted(out, user)
            write_json_atomically(out, render(report, fmt))
        except OSError as e:
            raise click.ClickException(f"could not write the report to {out}: {e}") from None
    click.echo(summary(report, verbose=verbose))
    if out is not None:
        click.echo(f"Report written to {out}")
    if fail_under is not None and report.percent < fail_under:
        click.echo(f"Score {report.percent:.1f}% is below --fail-under {fail_under:g}%.", err=True)
        raise SystemExit(1)
