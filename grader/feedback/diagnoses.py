"""Diagnose a wrong result: recognise a common mistake and ask the question that leads to it.

The mistakes are data: rows `Mistake(key, functions, detect, message)` in two tables.

- `grader.feedback.mistakes.MISTAKES` recognise a mistake from a *relation* between the student's
  value, the expected value and the inputs ("exactly twice", "exactly the negative", "y was
  (n,)"). They contain no solution code and ship with the public suite.
- `grader.feedback.variants.MISTAKES` re-run the reference with one mistake put in (the last
  batch dropped, the stopping rule after the update, ...) and compare. They hold a working copy of
  the algorithms, so they are instructor-only: they run only when a reference is given, which
  happens on the hidden side.

`explain(...)` tries the rows in order and returns the first message that applies, or None.
Messages are guiding questions for students: what was observed, precisely, and a question that
points the way, never the code.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.course import REQUIRED, load_course

#: The default of a parameter that has none.
_REQUIRED = REQUIRED

#: Parameters of every function of the contract, in order, with their defaults (`_REQUIRED` for
#: none), by `"module.function"`: from `signature` in course.toml.
SIGNATURES: dict[str, tuple[tuple[str, Any], ...]] = {
    f"{module}.{f.name}": tuple((p.name, p.default) for p in f.signature.parameters)
    for module, f in load_course().functions()
}

#: The names of the two items of the functions that return a pair, by `"module.function"`: from
#: `returns` in course.toml.
PAIRS: dict[str, tuple[str, str]] = {
    f"{module}.{f.name}": (f.returns[0].name, f.returns[1].name)
    for module, f in load_course().functions()
    if f.returns_pair
}

#: rtol, atol for "the student's value is this other value": tight, but forgives summation order.
MATCH = (1e-6, 1e-9)


def qualified(function: str, module: str | None = None) -> str:
    """`"module.function"` for a contract function (`predict` needs its module)."""
    if "." in function:
        return function
    if module:
        return f"{module}.{function}"
    matches = [name for name in SIGNATURES if name.endswith("." + function)]
    if len(matches) != 1:
        raise KeyError(f"name the module of {function!r}: one of {matches or list(SIGNATURES)}")
    return matches[0]


def bind(
    function: str,
    args: Iterable[Any] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    module: str | None = None,
) -> dict[str, Any]:
    """The inputs of a call by parameter name, with the defaults of the parameters not given."""
    params = SIGNATURES[qualified(function, module)]
    inputs = {name: default for name, default in params if default is not _REQUIRED}
    inputs.update(zip([name for name, _ in params], args, strict=False))
    inputs.update(kwargs or {})
    return inputs


# --- the case a detector looks at ---------------------------------------------------------------


@dataclass
class Case:
    """One wrong value: what the student returned, what was expected, and on which inputs.

    `got` and `expected` are one item of a returned pair when `part` names it (`"dw"`, `"b"`),
    otherwise the whole returned value.
    """

    module: str
    function: str
    got: Any
    expected: Any
    inputs: dict[str, Any]
    part: str | None = None
    reference: Any = None  # the reference package or one of its modules (hidden side only)
    mutated: tuple = ()
    earlier: tuple = ()  # what the student returned before for the very same inputs
    _variants: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """What to call the value after "Your" in a message: `dw`, `b`, `loss`, ..."""
        return self.part or _VALUE_NAMES.get(self.function, "result")

    @property
    def index(self) -> int | None:
        """0 or 1 for an item of a pair, None for a whole value."""
        names = PAIRS.get(f"{self.module}.{self.function}")
        return names.index(self.part) if names and self.part in names else None

    def has(self, *names: str) -> bool:
        return all(self.inputs.get(n) is not None for n in names)

    def start(self) -> Any:
        """The starting value of this item: `w` or `b` as given, or the contract's default."""
        if self.part not in ("w", "b"):
            return None
        value = self.inputs.get(self.part)
        if value is None and self.function in _DEFAULT_START:
            value = _DEFAULT_START[self.function][self.part](self.inputs)
        return value

    def again(self) -> Any:
        """This item of what the student returned earlier for the same inputs, or None.

        Only what was already observed: the student's code is never run again for a diagnosis.
        """
        if not self.earlier:
            return None
        whole = self.earlier[-1]
        if self.index is None or not isinstance(whole, (tuple, list)) or len(whole) != 2:
            return whole
        return whole[self.index]

    def variant(self, mistake: str) -> Any:
        """The reference's result with `mistake` put in (this item of it), or None."""
        if mistake not in self._variants:
            from grader.feedback import variants

            whole = variants.run(self, mistake)
            self._variants[mistake] = whole
        whole = self._variants[mistake]
        if whole is None or self.index is None:
            return whole
        return whole[self.index]


_VALUE_NAMES = {"predict": "prediction", "mse": "loss", "bce": "loss", "sigmoid": "sigmoid(z)"}

_DEFAULT_START: dict[str, dict[str, Callable[[dict], Any]]] = {
    "lr_gradient_descent": {"w": lambda i: _ones(i), "b": lambda i: 0.0},
    "sgd": {"w": lambda i: _ones(i), "b": lambda i: 0.0},
    "logistic_gradient_descent": {"w": lambda i: 0.0 * _ones(i), "b": lambda i: 0.0},
}


def _ones(inputs: dict) -> np.ndarray | None:
    X = inputs.get("X")
    return None if X is None else np.ones((np.shape(X)[1], 1))


# --- the table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mistake:
    """A common mistake: which functions it happens in, how to see it, what to ask.

    `detect(case)` returns a falsy value when the case does not show the mistake, and True or a
    dict of extra fields for `message` when it does. `message` may use `{name}` (what follows
    "Your": dw, b, loss, ...), `{function}` and the fields `detect` returned.
    """

    key: str
    functions: frozenset[str]
    detect: Callable[[Case], Any]
    message: str

    def applies_to(self, case: Case) -> bool:
        return case.function in self.functions or f"{case.module}.{case.function}" in self.functions

    def explain(self, case: Case) -> str | None:
        if not self.applies_to(case):
            return None
        try:
            with np.errstate(all="ignore"):
                found = self.detect(case)
        except Exception:  # noqa: BLE001 - a detector that cannot decide says nothing
            return None
        if not found:
            return None
        fields = {"name": case.name, "function": case.function}
        if isinstance(found, dict):
            fields.update(found)
        return self.message.format(**fields)


def mistake(key: str, functions: str, message: str) -> Callable[[Callable], Mistake]:
    """Decorator that turns a detector function into a table row (functions: space-separated)."""

    def wrap(detect: Callable[[Case], Any]) -> Mistake:
        return Mistake(key, frozenset(functions.split()), detect, message)

    return wrap


# --- the API ------------------------------------------------------------------------------------


def explain(
    function: str,
    *,
    got: Any,
    expected: Any,
    inputs: dict[str, Any],
    reference: Any = None,
    module: str | None = None,
    part: str | None = None,
    mutated: Iterable[Any] = (),
    earlier: Iterable[Any] = (),
    budget: float = 2.0,
) -> str | None:
    """The guiding question for the first known mistake that explains `got`, or None.

    `inputs` maps parameter names to the call's arguments (`bind` builds it from args/kwargs).
    `part` names the item of a returned pair that `got` and `expected` are (`"dw"`, `"b"`); with
    `part=None` a pair is examined item by item. `reference` (the `solutions` package or one of
    its modules) enables the variant detectors; pass it only on the hidden side. `mutated` is the
    sandbox's `CallResult.mutated`. `earlier` holds what the student's function returned before
    for the very same inputs (it reveals results that do not depend on `rng`); a diagnosis rests
    only on what was observed and never runs the student's code again. Detectors stop being
    tried after `budget` seconds.
    """
    found = identify(
        function, got=got, expected=expected, inputs=inputs, reference=reference, module=module,
        part=part, mutated=mutated, earlier=earlier, budget=budget,
    )  # fmt: skip
    return found[1] if found else None


def identify(
    function: str,
    *,
    got: Any,
    expected: Any,
    inputs: dict[str, Any],
    reference: Any = None,
    module: str | None = None,
    part: str | None = None,
    mutated: Iterable[Any] = (),
    earlier: Iterable[Any] = (),
    budget: float = 2.0,
) -> tuple[str, str] | None:
    """Like `explain`, but returns `(mistake key, message)`: which row recognised the case."""
    name = qualified(function, module)
    module, function = name.split(".")
    if part is None and name in PAIRS and _is_pair(got) and _is_pair(expected):
        for index, item in enumerate(PAIRS[name]):
            found = identify(
                name, got=got[index], expected=expected[index], inputs=inputs,
                reference=reference, part=item, mutated=mutated, earlier=earlier, budget=budget,
            )  # fmt: skip
            if found:
                return found
        return None
    inputs = bind(name, (), inputs)
    case = Case(module, function, got, expected, inputs, part=part, reference=reference,
                mutated=tuple(mutated or ()), earlier=tuple(earlier or ()))  # fmt: skip
    return first_match(case, tables(reference), budget=budget)


def tables(reference: Any = None) -> list[Mistake]:
    """The rows to try: the relation-only ones, then (with a reference) the variant ones."""
    from grader.feedback import mistakes

    rows = list(mistakes.MISTAKES)
    if reference is not None:
        from grader.feedback import variants

        rows += variants.MISTAKES
    return rows


def first_match(
    case: Case, rows: Iterable[Mistake], *, budget: float = 2.0
) -> tuple[str, str] | None:
    """`(key, message)` of the first row that recognises `case`; give up after `budget` s."""
    deadline = time.monotonic() + budget
    for row in rows:
        sentence = row.explain(case)
        if sentence:
            return row.key, sentence
        if time.monotonic() > deadline:
            return None
    return None


def explain_error(function: str, message: str, *, module: str | None = None) -> str | None:
    """The guiding question for an exception the student's code raised, or None.

    `message` is the sandbox's text for it (`StudentException.student_message()`): NumPy's
    floating-point warnings are errors in the worker, so an overflow shows up here.
    """
    from grader.feedback import mistakes

    return mistakes.explain_exception(qualified(function, module), message)


def with_advice(function: str, message: str, *, module: str | None = None) -> str:
    """`message` with the question of `explain_error` after its first line (if one applies).

    For the plugin: `outcome.feedback = with_advice(function, problem.student_message(),
    module=exercise)` keeps the sandbox's sentence first and the student's traceback last.
    """
    try:
        advice = explain_error(function, message, module=module)
    except KeyError:
        return message
    if not advice:
        return message
    first, _, rest = message.partition("\n")
    return f"{first}\n{advice}\n{rest}" if rest else f"{first} {advice}"


def explain_check(ctx: Any, name: str, got: Any, expected: Any) -> str | None:
    """`explain` with the signature of `grader.suites.checks.DIAGNOSES` entries.

    `ctx` is a `checks.Context`: its `call` says which module and function, with which arguments
    (as they were before the student's call: a Generator advances during it). Optional attributes
    of the call are used when present: `mutated` and `earlier` (see `explain`). The variant
    detectors are used on the hidden side only (`ctx.reveal` is False), where this copy of the
    grader has them and the reference: so the public suite says the same in a checkout as in
    the student handout.
    """
    call = getattr(ctx, "call", None)
    module = getattr(call, "module", None)
    function = getattr(ctx, "function", None) or getattr(call, "function", "")
    try:
        full = qualified(function, module)
        inputs = bind(full, getattr(call, "args", ()) or (), getattr(call, "kwargs", {}) or {})
    except (KeyError, TypeError):
        return None
    part = name if name in PAIRS.get(full, ()) else None
    return explain(
        full, got=got, expected=expected, inputs=inputs, part=part,
        reference=None if getattr(ctx, "reveal", False) else hidden_reference(),
        mutated=getattr(call, "mutated", ()) or (), earlier=getattr(call, "earlier", ()) or (),
    )  # fmt: skip


# --- knock-on failures --------------------------------------------------------------------------
#
# `course.toml` says which functions of an exercise the notes build each one from (`uses`):
# `lr_gradient_descent` from `predict`, `mse`, `gradients` and `update`. When such a helper fails
# its own tests, a failure of the function that uses it may be nothing but the helper's mistake
# carried along, so its feedback ends by saying so and asks the student to look at the helper
# first. Only wrong values (status `failed`) get it: an error such as a module that does not
# import is the same cause everywhere, and says so itself.


def point_at_helpers(course: Any, exercises: list[Any]) -> None:
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
                test.feedback = f"{test.feedback}\n{knock_on_sentence(test.function, helpers)}"


def knock_on_sentence(function: str, helpers: list[str]) -> str:
    """The guiding sentence that points at the failing helpers."""
    names = " and ".join(f"`{h}`" for h in helpers)
    its = "its" if len(helpers) == 1 else "their"
    return (
        f"Your {names} also fail{'s' * (len(helpers) == 1)} {its} own tests. If `{function}` "
        f"calls {'it' if len(helpers) == 1 else 'them'}, as the notes build it, this failure may "
        f"be only the knock-on: does `{function}` pass once {names} "
        f"{'does' if len(helpers) == 1 else 'do'}?"
    )


def hidden_reference() -> Any:
    """The reference package when this copy of the grader has the variant detectors, else None."""
    try:
        importlib.import_module("grader.feedback.variants")
        return importlib.import_module("grader.solutions")  # `solutions/` of the repository
    except ImportError:
        return None


def _is_pair(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and len(value) == 2
