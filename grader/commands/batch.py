"""`grade batch DIR -o OUTDIR`: grade a whole class (instructors; not in the student handout)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader import defaults
from grader.commands.common import (
    INSTRUCTOR,
    SUITE_CHOICE,
    instructor_only,
    timeout_option,
    writing,
)
from grader.report import points
from grader.text import visible

# The batch machinery (grader.instructor, absent from the student handout) is imported when the
# verb runs: every other `grade` starts its sandbox sooner for not loading it.


@click.command(
    "batch",
    hidden=not INSTRUCTOR,
    short_help="Grade every submission in a folder: reports, gradebook, class summary.",
)
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the reports, gradebook.csv and summary.md (created if needed).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    help="Submissions graded at once  [default: the number of cores].",
)
@click.option(
    "--suite",
    type=SUITE_CHOICE,
    default=defaults.BATCH_SUITE,
    show_default=True,
    help="The suite to grade with; hidden is the scoring suite.",
)
@timeout_option
@click.option(
    "--wall-limit",
    type=click.FloatRange(min=1),
    default=defaults.BATCH_WALL_LIMIT,
    show_default=True,
    help="Time limit of grading one whole submission, in seconds.",
)
def batch(directory, output, jobs, suite, timeout, wall_limit) -> None:
    """Grade every submission folder and .zip inside DIRECTORY, in parallel.

    Writes OUTPUT/reports/<id>.json (one native report per submission), OUTPUT/gradebook.csv
    and OUTPUT/summary.md. Run the same command again after an interruption: what is already
    graded (same content, suite and limits) is kept, the rest is graded.
    """
    instructor_only("batch")
    from grader.instructor.batch import BatchError, NothingToGrade, grade_batch

    if output.resolve() == directory.resolve():
        raise click.UsageError(
            "-o must be another folder than DIRECTORY (e.g. -o graded): the reports would "
            "mix with the submissions."
        )
    bar = _Bar() if sys.stdout.isatty() else _Lines()
    try:
        with writing("the batch's output"):
            result = grade_batch(directory, output, jobs=jobs, suite=suite, timeout=timeout,
                                 wall_limit=wall_limit, progress=bar)  # fmt: skip
    except NothingToGrade as problem:
        raise click.UsageError(str(problem)) from None
    except BatchError as problem:
        raise click.ClickException(str(problem)) from None
    except KeyboardInterrupt:
        bar.finish()
        click.echo(
            f"Interrupted. The {bar.count} report(s) finished are kept; run the same command "
            "again to grade the rest.",
            err=True,
        )
        raise SystemExit(130) from None
    bar.finish()
    click.echo("")
    click.echo(result.summary_text)
    unusual = [r for r in result.rows if r["status"] != "graded"]
    for row in unusual:
        click.echo(f"  {_row(row)}")
    click.echo(
        f"Graded {result.graded}, kept {result.kept} already graded. "
        f"Gradebook: {result.gradebook}  Summary: {result.summary}"
    )


def _row(row: dict) -> str:
    """`id: status (note)`, every part made visible (ids and notes come from submissions)."""
    note = f" ({visible(row['note'])})" if row["note"] else ""
    return f"{visible(row['id'])}: {row['status']}{note}"


def _said_skipped(skipped: list[tuple[str, str]]) -> None:
    """Say which entries of the class folder are not graded, and why (hidden ones counted)."""
    hidden = [name for name, _ in skipped if name.startswith(".")]
    for name, why in skipped:
        if not name.startswith("."):
            click.echo(f"Not graded: {visible(name)}: {why}.")
    if hidden:
        names = ", ".join(visible(n) for n in hidden[:3]) + (", ..." if len(hidden) > 3 else "")
        click.echo(
            f"Not graded: {len(hidden)} hidden entr{'ies' if len(hidden) > 1 else 'y'} ({names})."
        )


class _Bar:
    """click's progress bar, opened once the batch knows how much there is to do (a
    `grader.instructor.batch.Progress`), for a terminal."""

    def __init__(self) -> None:
        self.bar = None
        self.count = 0

    def start(self, *, total: int, done: int, skipped: list[tuple[str, str]]) -> None:
        _said_skipped(skipped)
        if done:
            click.echo(f"{total} submissions, {done} already graded: grading {total - done}.")
        self.bar = click.progressbar(
            length=total - done, label="Grading", show_pos=True, item_show_func=lambda s: s
        )
        self.bar.__enter__()

    def advance(self, outcome) -> None:
        self.count += 1
        self.bar.update(1, visible(outcome.submission.id))

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class _Lines:
    """Without a terminal (a CI log, a file): one line per submission as it is graded."""

    def __init__(self) -> None:
        self.count = self.total = 0

    def start(self, *, total: int, done: int, skipped: list[tuple[str, str]]) -> None:
        _said_skipped(skipped)
        self.total = total - done
        kept = f" ({done} already graded, kept)" if done else ""
        click.echo(f"Grading {self.total} of {total} submissions{kept}.")

    def advance(self, outcome) -> None:
        self.count += 1
        note = f" ({visible(outcome.note.splitlines()[0])})" if outcome.note else ""
        click.echo(
            f"[{self.count}/{self.total}] {visible(outcome.submission.id)}: {outcome.status}, "
            f"{_total(outcome.report)} in {outcome.seconds:.1f} s{note}"
        )

    def finish(self) -> None:
        pass


def _total(report: dict | None) -> str:
    if not report:
        return "no score"
    return f"{points(report['score'])} / {points(report['max_score'])}"
