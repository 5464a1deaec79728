"""`grade plot [PATH] -o FILE.png`: loss per epoch of your descents beside the reference's."""

from __future__ import annotations

import click

from grader.commands.common import (
    DEFAULT_PATH,
    check_output_file,
    check_submission_dir,
    timeout_option,
    writing,
)


@click.command(
    "plot",
    short_help="Draw the loss per epoch of your descents beside the reference (PNG).",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("path", default=DEFAULT_PATH, required=False)
@click.option(
    "-o",
    "--output",
    metavar="FILE.png",
    default="loss-curves.png",
    show_default=True,
    help="Where to write the picture (PNG).",
)
@timeout_option
def plot(path, output, timeout) -> None:
    """Draw the loss per epoch of your mini-batch GD, SGD and logistic GD beside the reference.

    Several learning rates and two starting points each, on the toy data of the notes; your
    code runs in the same isolated worker as during grading. Needs matplotlib:
    pip install -e ".[plot]".
    """
    folder = check_submission_dir(path)
    out = check_output_file(output)
    if out.suffix.lower() != ".png":
        raise click.UsageError(
            f"--output {output!r}: the picture is a PNG; name it e.g. curves.png."
        )
    from grader.feedback.plot import PlotUnavailable, require_matplotlib
    from grader.feedback.plot import plot as draw_plot

    try:
        require_matplotlib()  # an error that comes at once is not announced as a wait
        click.echo(f"Running the descents of {folder}/ in the sandbox (a few seconds)...", err=True)
        with writing("the picture"):
            written = draw_plot(folder, output=out, timeout=timeout)
    except PlotUnavailable as problem:
        raise click.UsageError(str(problem)) from None
    click.echo(f"Loss curves written to {written}")
