"""`grade watch [PATH]`: grade again on every save, with a compact progress view."""

from __future__ import annotations

import click

from grader import defaults
from grader.commands.common import DEFAULT_PATH, SUITE_CHOICE, check_submission_dir, timeout_option


@click.command(
    "watch",
    short_help="Grade again on every save of an exercise file, with a compact view.",
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.argument("path", default=DEFAULT_PATH, required=False)
@click.option(
    "--suite",
    type=SUITE_CHOICE,
    default=defaults.SUITE,
    show_default=True,
    help="The suite to run on every save.",
)
@timeout_option
@click.option("--once", is_flag=True, help="Grade once, draw the view and exit.")
@click.option(
    "--max-runs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Exit after N gradings (the first one included).",
)
@click.option("--poll", is_flag=True, help="Look for saves by polling, even with watchfiles.")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=0.5,
    show_default=True,
    metavar="SECONDS",
    help="How often to look for saves when polling.",
)
def watch(path, suite, timeout, once, max_runs, poll, interval) -> None:
    """Grade PATH (default: ./exercises) now and again on every save of an exercise file.

    The view shows which functions pass and the first problem to work on. A file saved with a
    syntax error is shown as such; fix it and save again. Stop with Ctrl+C.
    """
    folder = check_submission_dir(path)
    from grader.feedback.watch import watch as run_watch

    run_watch(folder, suite=suite, timeout=timeout, max_runs=1 if once else max_runs,
              poll=poll, interval=interval)  # fmt: skip
