"""`grade hint [NAME]`: the next guiding question for a function or an exercise."""

from __future__ import annotations

import click


@click.command(
    "hint",
    short_help="Show the next guiding question about a function or an exercise.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("name", required=False)
@click.option("--all", "show_all", is_flag=True, help="Show every hint of NAME at once.")
@click.option("--reset", is_flag=True, help="Forget which hints of NAME (or of all) were shown.")
def hint(name: str | None, show_all: bool, reset: bool) -> None:
    """Ask a guiding question about NAME: a function (gradients) or an exercise (sgd.py).

    Each run shows the next hint you have not seen yet; without NAME, lists what there is.
    """
    from grader.feedback.hints import UnknownName
    from grader.feedback.hints import hint as next_hint

    try:
        click.echo(next_hint(name, show_all=show_all, reset=reset))
    except UnknownName as problem:
        raise click.BadParameter(str(problem), param_hint="NAME") from None
