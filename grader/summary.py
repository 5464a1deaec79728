"""The human summary printed after grading: a table per exercise, what failed and why, the total.

Every piece of text the submission could have made (its folder's name, exception messages in
feedback) goes through `grader.text.visible` before it is styled, so nothing it holds can act on
the terminal.
"""

from __future__ import annotations

import textwrap

import click

from grader import causes
from grader.report import Report, Status, points
from grader.sandbox.confinement import summary_line
from grader.text import visible

_MARK = {
    Status.PASSED: ("PASS", "green"),
    Status.FAILED: ("FAIL", "red"),
    Status.ERROR: ("ERROR", "red"),
    Status.TIMEOUT: ("TIMEOUT", "yellow"),
}


def summary(report: Report, *, verbose: bool = False) -> str:
    """The summary as text (styled; click strips the styles when not on a terminal)."""
    lines = [
        click.style(
            f"Grading {visible(report.submission)}/ with the {report.suite} suite", bold=True
        ),
        "",
    ]
    for exercise in report.exercises:
        passed = sum(t.status is Status.PASSED for t in exercise.tests)
        colour = (
            "green" if exercise.score == exercise.max_score else "red" if passed == 0 else "yellow"
        )
        lines.append(
            f"  {exercise.name:<22}"
            + click.style(
                f"{points(exercise.score):>6} / {points(exercise.max_score):<4}", fg=colour
            )
            + f"  {passed}/{len(exercise.tests)} tests passed"
        )
    notes = [e for e in report.exercises if e.notebook]
    if notes:
        lines += ["", click.style("Notebooks", bold=True)]
        for exercise in notes:
            lines += textwrap.wrap(
                exercise.notebook["note"], width=96, initial_indent="  ", subsequent_indent="    "
            )
    failing = [(e, t) for e in report.exercises for t in e.tests if t.status is not Status.PASSED]
    unwritten = causes.unwritten(report)
    if unwritten:
        lines += [
            "",
            click.style("Not written yet", bold=True) + " (still raising NotImplementedError)",
        ]
        for exercise, functions in unwritten.items():
            lines.append(f"  {exercise}: {', '.join(functions)}")
        failing = [(e, t) for e, t in failing if t.function not in unwritten.get(e.name, ())]
    whole = causes.failed_as_a_whole(report)
    if whole:
        lines += ["", click.style("Exercises that could not run at all", bold=True)]
        for exercise, feedback in whole.items():
            lines.append(f"  {click.style('ERROR', fg='red')} {exercise}")
            lines += [f"      {line}" for line in visible(feedback).split("\n")]
        failing = [(e, t) for e, t in failing if e.name not in whole]
    if failing:
        lines += ["", click.style("What to look at", bold=True)]
        shown: set[tuple[str, str]] = set()
        for exercise, test in failing:
            key = (exercise.name, test.function)
            if key in shown and not verbose:
                continue
            shown.add(key)
            word, colour = _MARK[test.status]
            lines.append(f"  {click.style(word, fg=colour)} {exercise.name}.{visible(test.name)}")
            # Split on newlines only: str.splitlines would also break at \r, \x1c or \u2028,
            # letting a message start a line of its own ("Total: 25 / 25").
            for line in visible(test.feedback).split("\n"):
                lines.append(f"      {line}")
            more = sum(1 for e, t in failing if (e.name, t.function) == key) - 1
            if more and not verbose:
                lines.append(
                    f"      (and {more} more failing test{'s' * (more > 1)} of {test.function})"
                )
    lines += [
        "",
        click.style(
            f"Total: {points(report.score)} / {points(report.max_score)} ({report.percent:.0f}%)",
            bold=True,
        ),
    ]
    if failing or unwritten:
        exercise, test = (
            failing[0]
            if failing
            else next(
                (e, t) for e in report.exercises for t in e.tests if t.status is not Status.PASSED
            )
        )
        lines.append(
            f"Stuck? `grade hint {exercise.name}.{test.function}` asks a guiding question about it."
        )
    if report.grader_errors:
        lines.append(
            click.style(
                "Note: the grader itself hit a problem (not your code): please tell your "
                "instructor. The details are under grader_errors in the JSON report (-o FILE).",
                fg="yellow",
            )
        )
    for note in confinement_notes(report.confinement):
        lines.append(click.style(note, fg="yellow"))
    return "\n".join(lines)


def confinement_notes(found: dict) -> list[str]:
    """What the sandbox could not do here, and files it made private this time (said once)."""
    notes = [summary_line(found)] if summary_line(found) else []
    changed = found.get("made_private") or []
    if changed:
        names = ", ".join(str(p) for p in changed[:6]) + (", ..." if len(changed) > 6 else "")
        notes.append(
            "Note: grading as root on a system without Landlock, the grader made these readable "
            f"by root only, so that the submission cannot read them: {names}. "
            "`chmod -R go+rX PATH` undoes it; it happens only the first time."
        )
    return notes
