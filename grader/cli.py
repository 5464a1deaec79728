"""The `grade` command (placeholder until the grader lands)."""

from __future__ import annotations

import click


@click.command()
def main() -> None:
    """Grade a submission (arriving with the grader)."""
    click.echo("grade: grading arrives with the grader.")
