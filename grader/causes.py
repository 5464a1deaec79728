"""Why a submission's tests failed, as an instructor scans for it: an untouched stub, a broken
module, a timeout; or a test failed on its own.

Read from a report alone (statuses and feedback), so that the terminal summary, the gradebook's
note and the class summary (`grade batch`) tell the same story.
"""

from __future__ import annotations

import re
from enum import Enum

from grader.report import ExerciseResult, Report, Status, TestResult


class Cause(str, Enum):
    """What made many tests of one exercise fail at once."""

    STUB = "untouched stub"
    BROKEN = "broken module"
    TIMEOUT = "timeout"


def unwritten(report: Report) -> dict[str, list[str]]:
    """Functions every test of which stopped on NotImplementedError: the stub is untouched."""
    found: dict[str, list[str]] = {}
    for exercise in report.exercises:
        for function in dict.fromkeys(t.function for t in exercise.tests):
            tests = [t for t in exercise.tests if t.function == function]
            if all(t.status is Status.ERROR and "NotImplementedError" in t.feedback for t in tests):
                found.setdefault(exercise.name, []).append(function)
    return found


def failed_as_a_whole(report: Report) -> dict[str, str]:
    """Exercises every test of which failed with one and the same message: a module that is
    missing or does not import. Said once, instead of once per function."""
    found = {}
    for exercise in report.exercises:
        messages = {t.feedback for t in exercise.tests if t.status is Status.ERROR}
        if (
            exercise.tests
            and len(messages) == 1
            and all(t.status is Status.ERROR for t in exercise.tests)
        ):
            message = messages.pop()
            if "NotImplementedError" not in message:
                found[exercise.name] = message
    return found


def causes(report: Report) -> dict[tuple[str, str], Cause]:
    """`(exercise, function) -> Cause` for the functions whose failures share one cause."""
    stubs, broken = unwritten(report), failed_as_a_whole(report)
    found: dict[tuple[str, str], Cause] = {}
    for exercise in report.exercises:
        for test in exercise.tests:
            cause = _cause(exercise, test, stubs, broken)
            if cause is not None:
                found.setdefault((exercise.name, test.function), cause)
    return found


def _cause(exercise: ExerciseResult, test: TestResult, stubs: dict, broken: dict) -> Cause | None:
    if test.status is Status.PASSED:
        return None
    if test.function in stubs.get(exercise.name, ()):
        return Cause.STUB
    if exercise.name in broken:
        return Cause.BROKEN
    if test.status is Status.TIMEOUT:
        return Cause.TIMEOUT
    return None


_SYNTAX = re.compile(r"(SyntaxError|IndentationError|TabError)\b.*?line (\d+)")


def broken_note(report: Report) -> str:
    """One line for the gradebook: which modules could not run at all, and why, in brief."""
    parts = []
    for exercise, message in failed_as_a_whole(report).items():
        first = message.split("\n", 1)[0]
        syntax = _SYNTAX.search(first)
        if syntax:
            kind = "a syntax error" if syntax[1] == "SyntaxError" else f"an {syntax[1]}"
            parts.append(f"{exercise}.py has {kind} (line {syntax[2]})")
        else:
            parts.append(f"{exercise}: {first[:120]}")
    return "; ".join(parts)
