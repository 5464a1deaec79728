"""`grade [PATH]`: grade one submission folder and print a summary (the default verb)."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from grader import defaults
from grader.commands.common import (
    DEFAULT_PATH,
    SUITE_CHOICE,
    check_output_file,
    check_submission_dir,
    timeout_option,
    writing,
)
from grader.formats import FORMATS


def clear_planted(path: Path, user: str | int) -> None:
    """Remove what the submission left where the report goes, if that folder was open to it.

    `check_output_file` refused a folder at the report's path before grading, so one now was
    planted; the atomic rename of the report would fail on it. Anything else there (a file, a
    symlink) is replaced by the rename, never followed. Files the worker's own uid left beside
    it go too (the same sweep as in /tmp).
    """
    from grader.sandbox.limits import remove_files_of

    if isinstance(user, int):
        remove_files_of(user, (str(path.parent),))
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """`grade --version` as the group answers it (listed in `grade --help`, which is ours)."""
    from grader.cli import show_version

    show_version(ctx, param, value)


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
@timeout_option
@click.option(
    "-v", "--verbose", is_flag=True, help="List every failing test, not one per function."
)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, param, value: _show_version(ctx, param, value),
              help="Show the version and what confines a submission here, then exit.")  # fmt: skip
@click.pass_context
def grade_one(ctx, path, suite, output, fmt, fail_under, timeout, verbose) -> None:
    """Grade the submission in PATH (default: ./exercises) and print a summary.

    Exit status: 0 when grading completed, whatever the score; 1 when the score is below
    --fail-under; 2 for a usage error.
    """
    if output is None and ctx.get_parameter_source("fmt") is click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError(
            f"--format {fmt} shapes the report written with -o FILE; add -o, e.g. "
            "`-o results.json`. The summary on the terminal has one format."
        )
    folder = check_submission_dir(path)
    out = check_output_file(output, not_inside=folder)
    # Imported here so that usage errors and --help answer without loading pytest and NumPy.
    from grader.formats import render
    from grader.report import write_json_atomically
    from grader.runner import SuiteUnavailable, grade_submission
    from grader.submission import submission_root
    from grader.summary import summary

    # The same search as `grade batch` and Gradescope: a repository holding exercises/ grades
    # the same whichever way it is handed in.
    found = submission_root(folder)
    if found != folder:
        click.echo(f"The exercise files are in {found}/: grading that folder.", err=True)
        folder = found

    user = worker_user()
    try:
        report = grade_submission(folder, suite=suite, timeout=timeout, user=user)
    except SuiteUnavailable as problem:
        raise click.UsageError(str(problem)) from None
    if out is not None:
        with writing("the report"):
            clear_planted(out, user)
            write_json_atomically(out, render(report, fmt))
    click.echo(summary(report, verbose=verbose))
    if out is not None:
        click.echo(f"Report written to {out}")
    if fail_under is not None and report.percent < fail_under:
        click.echo(f"Score {report.percent:.1f}% is below --fail-under {fail_under:g}%.", err=True)
        raise SystemExit(1)
