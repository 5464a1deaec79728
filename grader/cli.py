"""The `grade` command: click wiring only. Each verb lives in `grader/commands/`.

`grade [PATH]` grades a folder; a first argument that names a verb (`batch`, `release`, ...)
runs that verb instead, so `grade ./batch` still grades a folder called batch.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any

import click

from grader import __version__
from grader.commands.grade_one import grade_one


class GradeCommand(click.Group):
    """`grade VERB ...` when the first argument names a verb, `grade [PATH] [OPTIONS]` otherwise."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        if args and (args[0] in self.commands or args[0] == "--version"):
            return super().main(args, prog_name="grade", **extra)
        if args and not args[0].startswith("-"):
            self.refuse_a_misspelt_verb(args[0])
        return grade_one.main(args, prog_name="grade", **extra)

    def refuse_a_misspelt_verb(self, first: str) -> None:
        """`grade wacth`: no such folder, but close to a verb -> ask, exit 2 (a usage error)."""
        if Path(first).exists():
            return
        close = difflib.get_close_matches(first, list(self.commands), n=1, cutoff=0.75)
        if close:
            problem = click.UsageError(
                f"There is no folder {first!r}. Did you mean `grade {close[0]}`?"
            )
            problem.show()
            sys.exit(problem.exit_code)


def show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`grade --version`: the version, and what confines a submission on this machine."""
    if not value or ctx.resilient_parsing:
        return
    from grader.sandbox.probe import describe

    click.echo(f"grade {__version__}")
    click.echo(describe())
    ctx.exit()


@click.group(cls=GradeCommand, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=show_version,
              help="Show the version and what confines a submission here, then exit.")  # fmt: skip
def main() -> None:
    """Grade gradient-descent exercises in an isolated worker and write score reports."""


def verbs_epilog() -> str:
    """The list of verbs, shown under `grade --help`."""
    rows = [
        f"  grade {name:<11}{cmd.get_short_help_str(60)}"
        for name, cmd in sorted(main.commands.items())
        if not cmd.hidden  # e.g. the instructor's verbs, in the student handout
    ]
    return "Verbs (grade VERB --help for each):\n\n\b\n" + "\n".join(rows)


def register(command: click.Command) -> None:
    main.add_command(command)
    grade_one.epilog = verbs_epilog()


from grader.commands.batch import batch  # noqa: E402
from grader.commands.gradescope import gradescope  # noqa: E402
from grader.commands.hint import hint  # noqa: E402
from grader.commands.plot import plot  # noqa: E402
from grader.commands.release import release  # noqa: E402
from grader.commands.watch import watch  # noqa: E402

register(batch)
register(gradescope)
register(hint)
register(plot)
register(release)
register(watch)
