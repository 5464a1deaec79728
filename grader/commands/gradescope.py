"""`grade gradescope FILE.zip`: a Gradescope autograder bundle (instructors only)."""

from __future__ import annotations

from pathlib import Path

import click

from grader.commands.common import INSTRUCTOR, instructor_only, writing
from grader.defaults import GRADESCOPE_VISIBILITY
from grader.formats import VISIBILITIES


@click.command(
    "gradescope",
    hidden=not INSTRUCTOR,
    short_help="Build a Gradescope autograder zip that grades with the hidden suite.",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--visibility",
    type=click.Choice(VISIBILITIES),
    default=GRADESCOPE_VISIBILITY,
    show_default=True,
    help="When students see the hidden suite's results: always, never, after the due date, or "
    "once you publish the grades.",
)
@click.option(
    "--per-check",
    is_flag=True,
    help="One Gradescope test per check of the hidden suite, not one per function.",
)
def gradescope(file, visibility, per_check) -> None:
    """Build FILE (a .zip) to upload as a Gradescope programming assignment's autograder.

    The bundle holds setup.sh and run_autograder at its root and this grader with its hidden
    suite; each submission is graded with the hidden suite, one Gradescope test per function
    worth its points (docs/instructors.md says what each visibility shows students).
    """
    instructor_only("gradescope")
    if file.suffix.lower() != ".zip":
        raise click.BadParameter(
            "the bundle must be a .zip file, e.g. autograder.zip", param_hint="FILE"
        )
    if not file.parent.is_dir():
        raise click.BadParameter(
            f"the folder {str(file.parent)!r} does not exist", param_hint="FILE"
        )
    from grader.instructor.gradescope import make_bundle
    from grader.instructor.source import NotInstructorCopy

    try:
        with writing("the bundle"):
            bundle = make_bundle(file, visibility=visibility, per_check=per_check)
    except NotInstructorCopy as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"Autograder bundle: {bundle.path} ({len(bundle.files)} files)")
    click.echo(f"Hidden suite's results: visibility {visibility}.")
    click.echo(
        "Upload it under Configure Autograder > Zip file upload, then test it with a submission."
    )
