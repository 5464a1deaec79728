"""A rehearsal: the suite run once against the reference, in this process, before any grading.

`grade batch` grades many submissions in forks of one process (`grading_process`). Before the
first one, `warm_up` collects the suite (pytest reuses the modules it imported) and runs it
against the reference solutions called in this process (`ReferenceCaller`, as if they were a
submission in the sandbox): the hidden suite then remembers every answer of the reference
(`grader.suites.hidden.answers`), and no fork computes them again. Only trusted code runs here,
the reference, never a submission. The benchmark uses the same caller to measure what a grader
without isolation would cost.
"""

from __future__ import annotations

import copy
import importlib.util
import time
import types
from typing import Any

import numpy as np

from grader.course import load_course
from grader.instructor import layout
from grader.plugin import GraderPlugin
from grader.runner import Suite, run_pytest, suite_dir
from grader.sandbox.client import CallResult

#: Where the reference solutions are installed (absent in a student handout).
SOLUTIONS = layout.solutions()


class ReferenceCaller:
    """`call(module, function, *args, **kwargs)` like `Sandbox.call`, on the reference."""

    def __init__(self, modules: dict[str, types.ModuleType]) -> None:
        self._modules = modules

    @classmethod
    def installed(cls) -> ReferenceCaller | None:
        """The caller of the installed reference; None where it is not installed (a handout)."""
        modules = {}
        for exercise in load_course().exercises:
            path = SOLUTIONS / f"{exercise.module}.py"
            if not path.is_file():
                return None
            name = f"_grader_rehearsal_{exercise.module}"
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            modules[exercise.module] = module
        return cls(modules)

    def call(self, module: str, function: str, /, *args: Any, **kwargs: Any) -> CallResult:
        target = getattr(self._modules[module], function)
        before = copy.deepcopy(args)
        start = time.perf_counter()
        value = target(*args, **kwargs)
        seconds = time.perf_counter() - start
        mutated = tuple(
            i
            for i, (now, then) in enumerate(zip(args, before, strict=True))
            if isinstance(now, np.ndarray) and not np.array_equal(now, then)
        )
        return CallResult(value=value, mutated=mutated, output="", seconds=seconds)


def warm_up(suite: Suite) -> None:
    """Collect `suite` and rehearse it against the reference; only collect it without one.

    The rehearsal's results are thrown away: what stays is the modules pytest imported and the
    reference's answers the hidden suite remembered, both inherited by every fork.
    """
    caller = ReferenceCaller.installed()
    if caller is None:
        run_pytest(suite_dir(suite), [GraderPlugin(None, load_course())], "--collect-only")
    else:
        run_pytest(suite_dir(suite), [GraderPlugin(caller, load_course())])
