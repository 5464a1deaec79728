"""Knock-on failures: when a helper fails, a function built from it is pointed at the helper.

`course.toml` says which functions of an exercise the notes build each one from (`uses`):
`lr_gradient_descent` from `predict`, `mse`, `gradients` and `update`. When such a helper fails
its own tests, a failure of the function that uses it may be nothing but the helper's mistake
carried along, so its feedback ends by saying so and asks the student to look at the helper
first. Only wrong values (status `failed`) get it: an error such as a module that does not
import is the same cause everywhere, and says so itself.
"""

from __future__ import annotations

from typing import Any

from grader.course import Course


def point_at_helpers(course: Course, exercises: list[Any]) -> None:
    """Add to the feedback of each failed test whose function uses a failing helper."""
    for exercise in exercises:
        functions = {f.name: f for f in course.exercise(exercise.name).functions}
        failing = {t.function for t in exercise.tests if t.status.value != "passed"}
        for test in exercise.tests:
            function = functions.get(test.function)
            if test.status.value != "failed" or function is None:
                continue
            helpers = [h for h in function.uses if h in failing]
            if helpers:
                test.feedback = f"{test.feedback}\n{sentence(test.function, helpers)}"


def sentence(function: str, helpers: list[str]) -> str:
    """The guiding sentence that points at the failing helpers."""
    names = " and ".join(f"`{h}`" for h in helpers)
    its = "its" if len(helpers) == 1 else "their"
    return (
        f"Your {names} also fail{'s' * (len(helpers) == 1)} {its} own tests. If `{function}` "
        f"calls {'it' if len(helpers) == 1 else 'them'}, as the notes build it, this failure may "
        f"be only the knock-on: does `{function}` pass once {names} "
        f"{'does' if len(helpers) == 1 else 'do'}?"
    )
