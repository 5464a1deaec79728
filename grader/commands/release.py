"""`grade release OUTDIR`: the student handout (instructors; not in the student handout)."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands.common import INSTRUCTOR, instructor_only, writing


@click.command(
    "release",
    hidden=not INSTRUCTOR,
    short_help="Build the student handout: stubs, public tests, data, grade (no solutions).",
)
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--zip", "archive", is_flag=True, help="Also write OUTDIR.zip beside the folder.")
@click.option(
    "--workflow",
    is_flag=True,
    help="Include the GitHub Actions workflow that scores each push with the hidden suite.",
)
@click.option(
    "--notebooks",
    is_flag=True,
    help="Hand out the exercises as Jupyter notebooks (exercises/<module>.ipynb).",
)
def release(outdir, archive, workflow, notebooks) -> None:
    """Build the student handout in OUTDIR (a new or empty folder).

    The handout holds the exercise stubs, the public suite, the data, the course metadata, a
    README for students and a pyproject.toml, so that `pip install -e .` in it gives a working
    `grade`. It never holds the reference solutions, the hidden suite or the instructor's tools.
    With --notebooks the exercises are notebooks, each with a cell that checks the work.
    """
    instructor_only("release")
    from grader.instructor.release import HandoutError, make_handout

    try:
        with writing("the handout"):
            handout = make_handout(outdir, archive=archive, workflow=workflow, notebooks=notebooks)
    except HandoutError as problem:
        raise click.UsageError(str(problem)) from None
    click.echo(f"Handout: {handout.folder} ({len(handout.files)} files)")
    if handout.archive is not None:
        click.echo(f"Zip:     {handout.archive}")
    click.echo("Check it, then publish it (e.g. as the template repository of the assignment).")
