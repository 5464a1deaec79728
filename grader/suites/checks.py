"""Checks that turn a wrong result into one sentence a student can act on.

Every check raises `Feedback` (an `AssertionError`) whose message names the function, says what
was wrong and suggests a next step. The checks run in the trusted process on values the sandbox
decoded: plain `numpy.ndarray`s, Python/NumPy scalars, tuples, lists, None, or a `Foreign` stand-in
(anything with `.type_name` and `.description`) for what could not cross as data.

What a message may show (the policy):

- **Public suite** (`reveal=True`): the expected value may be shown. Public tests only use the
  numbers the notes and the contract already publish.
- **Hidden suite** (`reveal=False`, the default): never the reference's numbers. A message shows
  the student's own value, the expected *shape* and type, and structural facts anybody can
  derive from the contract (finite, 0/1 labels, a column of shape (p, 1)). It never prints code.

What counts as a right answer (the fairness rules, applied the same way everywhere):

- An array must be an exact `numpy.ndarray` of real numbers (any integer or float dtype; a bool
  array is accepted only where the values are 0/1 labels) of the expected shape, finite, and close
  to the expected values with tolerances that forgive summation order (`DIRECT` for one formula,
  `ITERATIVE` for results of many updates).
- A scalar (b, db, a loss) may be a Python `int`/`float`, a NumPy scalar or a 0-d array; a
  one-element array of shape (1,) or (1, 1) is not a scalar (the contract says "real scalars").
- A pair is a tuple or a list of two.

A value that is wrong goes through `compare`, the single place where a diagnosis (issue 6: "the
gradient is off by exactly a factor 2") can be added: append a function to `DIAGNOSES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.course import CourseError, Function, Value, load_course

#: rtol, atol for values computed by one formula: forgives any summation order.
DIRECT = (1e-7, 1e-9)
#: rtol, atol for the result of many updates (gradient descent), where rounding accumulates.
ITERATIVE = (1e-6, 1e-8)


class Feedback(AssertionError):
    """A failed check; its message is one sentence for the student."""


@dataclass(frozen=True)
class Call:
    """What the student's function was called with (for diagnoses that re-run variants)."""

    module: str
    function: str
    args: tuple = ()  # as they were before the call (a Generator advances during it)
    kwargs: dict = field(default_factory=dict)
    mutated: tuple = ()  # what the sandbox reported the call changed in place
    #: What the same submission returned earlier for these very inputs (already observed: a
    #: diagnosis never calls the student's code again, which a stateful submission could notice).
    earlier: tuple = ()


@dataclass(frozen=True)
class Context:
    """Who is being checked and on what, so that every message can say so."""

    function: str
    about: str = ""  # the inputs in words: "on a batch of 7 observations with 3 features"
    reveal: bool = False  # may the message show expected values? (public suite only)
    call: Call | None = None
    step: str = ""  # the test's own next step (a worked example says which rule it checks)

    def fail(self, problem: str, next_step: str = "") -> Feedback:
        """The Feedback for `problem`, prefixed with the function and the inputs."""
        where = f"{self.function} {self.about}".strip()
        text = f"{where}: {problem}"
        if next_step:
            text = f"{text} {next_step}"
        return Feedback(text)


# --- what each function returns ---------------------------------------------------------------


@dataclass(frozen=True)
class Array:
    """A returned array: its name in the notes and its shape in symbols."""

    name: str
    shape: str  # "(p, 1)", "(n, 1)", or "like z" for elementwise functions
    labels: bool = False  # 0/1 labels: compared exactly, bool/int/float accepted by value checks


@dataclass(frozen=True)
class Scalar:
    """A returned real number."""

    name: str


@dataclass(frozen=True)
class Pair:
    """A returned pair such as `(w, b)` or `(dw, db)`."""

    first: Array
    second: Scalar


Spec = Array | Scalar | Pair


def _spec(value: Value) -> Array | Scalar:
    if value.is_scalar:
        return Scalar(value.name)
    return Array(value.name, value.shape, labels=value.labels)


def _returns(module: str, function: Function) -> Spec:
    """The `Spec` of what course.toml says `module.function` returns."""
    specs = tuple(_spec(value) for value in function.returns)
    if len(specs) == 1:
        return specs[0]
    first, second = specs
    if not (isinstance(first, Array) and isinstance(second, Scalar)):
        raise CourseError(f"course.toml, {module}.{function.name}: a pair is (an array, a scalar)")
    return Pair(first, second)


#: What each `(module, function)` returns, from `returns` in course.toml.
RETURNS: dict[tuple[str, str], Spec] = {
    (module, f.name): _returns(module, f) for module, f in load_course().functions()
}

#: Parameter names of each `(module, function)` in signature order, from `signature` in
#: course.toml: turns a positional index reported as mutated into a name.
PARAMS: dict[tuple[str, str], tuple[str, ...]] = {
    (module, f.name): f.signature.names for module, f in load_course().functions()
}

#: Iterative functions are compared with the looser `ITERATIVE` tolerances.
_ITERATIVE_FUNCTIONS = {"lr_gradient_descent", "sgd", "logistic_gradient_descent"}

#: What to try next when a value is wrong: a direction, never the code.
NEXT_STEP: dict[tuple[str, str], str] = {
    ("batch_gradient", "predict"): "Work two rows out by hand: each prediction is that row of X "
    "times w, plus b.",
    ("batch_gradient", "mse"): "Average the squared differences over the n observations, after "
    "making sure both arguments have the same shape.",
    ("batch_gradient", "gradients"): "Re-derive Steps 2 and 3 of the notes, and test your code "
    "on the notes' first batch (dw = [[-6.0], [-4.2667]], db = -3.2).",
    ("batch_gradient", "update"): "A step moves both w and b against their gradient, by eta "
    "times it (Step 5 of the notes gives w = [[1.6], [1.4267]], b = 0.32).",
    ("batch_gradient", "lr_gradient_descent"): "Walk through one epoch on paper: one "
    "rng.permutation(n) per epoch, consecutive batches of that order including a smaller last "
    "one, each gradient divided by the size of its own batch, and the stopping check before "
    "each update.",
    ("sgd", "sgd_step"): "One observation is a batch of size N = 1: apply the gradient formulas "
    "of the notes with N = 1, then take one step.",
    ("sgd", "sgd"): "Each epoch visits the observations in the order rng.permutation(n), with "
    "the stopping check before each update; on the same seed your sgd should agree with "
    "lr_gradient_descent(..., batch_size=1).",
    ("logistic_regression", "sigmoid"): "Compare with 1 / (1 + exp(-z)) worked out by hand for "
    "a few values of z.",
    ("logistic_regression", "predict_proba"): "The probability of each row is the sigmoid of "
    "its linear prediction X @ w + b.",
    ("logistic_regression", "bce"): "Average -(y log p + (1 - y) log(1 - p)) over the "
    "observations, with p clipped to [eps, 1 - eps] first.",
    ("logistic_regression", "logistic_gradients"): "Differentiate the mean cross-entropy: its "
    "derivative with respect to each linear prediction is simply p - y.",
    ("logistic_regression", "logistic_gradient_descent"): "Check your loop: every observation "
    "in every iteration, the stopping check on the full-data loss before each update, and the "
    "default start (w zeros, b = 0).",
    ("logistic_regression", "predict"): "Label 1 where the probability is at least the "
    "threshold, 0 elsewhere.",
}


def _module(ctx: Context) -> str:
    """The module of the function being checked: the call's, else the one module that defines a
    function of that name ("" when none or several do, as for `predict`)."""
    if ctx.call is not None:
        return ctx.call.module
    modules = [module for module, function in RETURNS if function == ctx.function]
    return modules[0] if len(modules) == 1 else ""


def next_step(ctx: Context) -> str:
    """The suggestion printed after a wrong value."""
    return ctx.step or NEXT_STEP.get((_module(ctx), ctx.function), "")


# --- diagnoses (issue 6 hooks in here) ---------------------------------------------------------

#: Each diagnosis gets (ctx, name, got, expected) for a value that `compare` found wrong, and
#: returns a sentence (a guiding question) when it recognises the mistake, else None.
Diagnosis = Callable[[Context, str, Any, Any], "str | None"]
DIAGNOSES: list[Diagnosis] = []


def _feedback_diagnosis(ctx: Context, name: str, got: Any, expected: Any) -> str | None:
    """The misconceptions of `grader.feedback.diagnoses` (value-only in a handout; re-runs of
    the reference with one mistake, where the instructor-only variants are installed)."""
    from grader.feedback.diagnoses import explain_check

    return explain_check(ctx, name, got, expected)


DIAGNOSES.append(_feedback_diagnosis)


def diagnose(ctx: Context, name: str, got: Any, expected: Any) -> str | None:
    """The first diagnosis that explains a wrong value, if any.

    A diagnosis only adds advice: whatever goes wrong inside one (even the student's code
    failing when a diagnosis re-runs it) never changes the verdict, so it is skipped.
    """
    for diagnosis in DIAGNOSES:
        try:
            sentence = diagnosis(ctx, name, got, expected)
        except Exception:  # noqa: BLE001 - advice is optional, the verdict is not
            continue
        if sentence:
            return sentence
    return None


def compare(got: Any, expected: Any, ctx: Context, *, name: str, rtol: float, atol: float) -> None:
    """Raise Feedback unless `got` is close to `expected` (both already checked for type/shape)."""
    if rtol == np.inf:  # result(..., values=False): only types and shapes are checked
        return
    got_a = np.asarray(got, dtype=float)
    expected_a = np.asarray(expected, dtype=float)
    if np.allclose(got_a, expected_a, rtol=rtol, atol=atol):
        return
    if ctx.reveal:
        problem = f"{name} should be {show(expected)}, but yours is {show(got)}."
    else:
        problem = f"{name} is off: yours is {show(got)}{_shape_note(got)}."
    hint = diagnose(ctx, name, got, expected) or next_step(ctx)
    raise ctx.fail(problem, hint)


# --- the checks ---------------------------------------------------------------------------------


def result(
    module: str,
    function: str,
    got: Any,
    expected: Any,
    *,
    about: str = "",
    reveal: bool = False,
    tolerance: tuple[float, float] | None = None,
    call: Call | None = None,
    values: bool = True,
    step: str = "",
) -> Any:
    """Check what `module.function` returned against `expected`; return it normalised.

    Arrays come back as float (or 0/1 int) ndarrays, scalars as Python floats, pairs as tuples.
    With `values=False` only the types and shapes are checked (for results that are random).
    `step` replaces the function's usual next step when no diagnosis applies: a worked example
    of one rule of the loop says which rule, as a question.
    """
    spec = RETURNS[(module, function)]
    ctx = Context(
        function, about=about, reveal=reveal, call=call or Call(module, function), step=step
    )
    if tolerance is None:
        tolerance = ITERATIVE if function in _ITERATIVE_FUNCTIONS else DIRECT
    rtol, atol = tolerance if values else (np.inf, np.inf)
    if got is None:
        raise ctx.fail("returned None.", "Is a `return` statement missing?")
    if isinstance(spec, Pair):
        first, second = pair(got, ctx, names=(spec.first.name, spec.second.name))
        e_first, e_second = expected
        a = array(first, e_first, ctx, spec=spec.first, rtol=rtol, atol=atol)
        s = scalar(second, e_second, ctx, name=spec.second.name, rtol=rtol, atol=atol)
        return a, s
    if isinstance(spec, Scalar):
        return scalar(got, expected, ctx, name=spec.name, rtol=rtol, atol=atol)
    if spec.shape == "like z" and np.ndim(expected) == 0:
        return scalar(got, expected, ctx, name=spec.name, rtol=rtol, atol=atol)
    return array(got, expected, ctx, spec=spec, rtol=rtol, atol=atol)


def pair(got: Any, ctx: Context, *, names: tuple[str, str]) -> tuple[Any, Any]:
    """Check that `got` is a pair (a tuple or list of two); return its two items."""
    wanted = f"a pair ({names[0]}, {names[1]})"
    if _is_foreign(got):
        raise ctx.fail(f"should return {wanted}, but returned {_foreign(got)}.")
    if not isinstance(got, (tuple, list)):
        raise ctx.fail(
            f"should return {wanted}, but returned {_kind(got)}.",
            f"End with `return {names[0]}, {names[1]}`.",
        )
    if len(got) != 2:
        raise ctx.fail(f"should return {wanted}, but returned {len(got)} values.")
    return got[0], got[1]


def array(
    got: Any,
    expected: Any,
    ctx: Context,
    *,
    spec: Array,
    rtol: float = DIRECT[0],
    atol: float = DIRECT[1],
) -> np.ndarray:
    """Check type, dtype, shape, finiteness and values of a returned array."""
    name = spec.name
    expected = np.asarray(expected)
    shape_text = _shape_text(spec.shape, expected.shape)
    if _is_foreign(got):
        raise ctx.fail(
            f"{name} should be a plain NumPy array (numpy.ndarray), but it is {_foreign(got)}.",
            "Build the result with NumPy operations on float or integer ndarrays: an array of "
            "Python objects (dtype object) or an ndarray subclass does not count.",
        )
    if not isinstance(got, np.ndarray):
        raise ctx.fail(
            f"{name} should be a NumPy array of shape {shape_text}, but it is {_kind(got)}.",
            "Return the NumPy array itself, not a Python number or list.",
        )
    kind = got.dtype.kind
    if not (kind in "iuf" or (kind == "b" and spec.labels)):
        raise ctx.fail(
            f"{name} should hold real numbers, but its dtype is {got.dtype}.",
            "Which operation produced that dtype?",
        )
    if got.shape != expected.shape:
        raise ctx.fail(
            f"{name} should have shape {shape_text}, but yours has shape {got.shape}.",
            _shape_hint(got.shape, expected.shape),
        )
    if kind == "f" and not np.all(np.isfinite(got)):
        raise ctx.fail(
            f"{name} contains nan or inf: {show(got)}.",
            "Print the intermediate results: which one overflows, or divides by zero?",
        )
    if spec.labels:
        _labels(got, expected, ctx, name)
        return got.astype(int)
    compare(got, expected, ctx, name=name, rtol=rtol, atol=atol)
    return got.astype(float)


def scalar(
    got: Any,
    expected: Any,
    ctx: Context,
    *,
    name: str,
    rtol: float = DIRECT[0],
    atol: float = DIRECT[1],
) -> float:
    """Check that `got` is a finite real number close to `expected`; return it as a float."""
    if _is_foreign(got):
        raise ctx.fail(f"{name} should be a real number, but it is {_foreign(got)}.")
    if isinstance(got, np.ndarray):
        if got.ndim == 0 and got.dtype.kind in "iuf":
            got = got[()]
        elif got.size == 1:
            raise ctx.fail(
                f"{name} should be a single number (a Python or NumPy scalar), but yours is an "
                f"array of shape {got.shape}.",
                "Which operation left it inside an array? A sum over everything, or an index, "
                "gives a plain number.",
            )
        else:
            raise ctx.fail(
                f"{name} should be a single number, but yours is an array of shape {got.shape}.",
                _shape_hint(got.shape, ()),
            )
    if isinstance(got, (bool, np.bool_)) or not isinstance(
        got, (int, float, np.integer, np.floating)
    ):
        raise ctx.fail(f"{name} should be a real number, but it is {_kind(got)}.")
    try:
        value = float(got)
    except OverflowError:  # a Python int beyond any float: the submission's, not the grader's
        raise ctx.fail(
            f"{name} is an integer of {show(got)}, too large to be any float.",
            "Print the intermediate results: which one grows without bound?",
        ) from None
    if not np.isfinite(value):
        raise ctx.fail(
            f"{name} is {value}, not a finite number.",
            "Print the intermediate results: which one overflows, or takes the log of 0?",
        )
    compare(value, float(expected), ctx, name=name, rtol=rtol, atol=atol)
    return value


def _labels(got: np.ndarray, expected: np.ndarray, ctx: Context, name: str) -> None:
    values = got.astype(float)
    if not np.all((values == 0) | (values == 1)):
        raise ctx.fail(f"{name} should all be 0 or 1, but yours are {show(got)}.")
    if np.array_equal(values, expected.astype(float)):
        return
    wrong = int(np.sum(values != expected))
    if ctx.reveal:
        problem = f"{name} should be {show(expected)}, but yours are {show(got)}."
    else:
        problem = f"{wrong} of the {values.size} labels are wrong: yours are {show(got)}."
    raise ctx.fail(problem, diagnose(ctx, name, got, expected) or next_step(ctx))


def integer_labels(got: Any, ctx: Context) -> None:
    """The contract's dtype for labels: an integer array (not bool, not float)."""
    if not isinstance(got, np.ndarray):
        raise ctx.fail(
            "the labels should be an integer NumPy array of 0/1, but the result is "
            f"{_foreign(got) if _is_foreign(got) else _kind(got)}.",
            "Does every path through your function end with a `return` of the labels?",
        )
    if got.dtype.kind not in "iu":
        raise ctx.fail(
            f"the labels should be an integer array of 0/1, but their dtype is {got.dtype}.",
            "Which dtype does a comparison produce, and how do you convert it?",
        )


def argument_names(module: str, function: str, mutated: tuple) -> tuple[str, ...]:
    """The names (course.toml's signature) of the arguments in `mutated`, which holds positions
    (int) or keyword names (str), as the sandbox reports them."""
    params = PARAMS.get((module, function), ())
    names = []
    for item in mutated or ():
        if isinstance(item, int) and not isinstance(item, bool):
            item = params[item] if 0 <= item < len(params) else f"number {item + 1}"
        names.append(str(item))
    return tuple(names)


def unchanged(mutated: tuple, ctx: Context, *, ignore: tuple[str, ...] = ("rng",)) -> None:
    """Raise Feedback if the call changed one of its arguments in place.

    `mutated` is the sandbox's `CallResult.mutated`: argument names or positional indices. A
    random generator is meant to advance, so `rng` is ignored.
    """
    names = [n for n in argument_names(_module(ctx), ctx.function, mutated) if n not in ignore]
    if not names:
        return
    which = " and ".join(f"`{n}`" for n in names)
    raise ctx.fail(
        f"it changed its argument {which} in place; the caller's arrays must stay as they were.",
        "Build new arrays (for example `w = w - step`) instead of modifying the ones you were "
        "given (`w -= step` writes into the caller's array).",
    )


# --- formatting -------------------------------------------------------------------------------


def show(value: Any) -> str:
    """A short, one-line rendering of a number or an array for a message."""
    if isinstance(value, np.ndarray) or isinstance(value, (list, tuple)):
        a = np.asarray(value)
        if a.ndim == 0:
            return show(a[()])
        with np.printoptions(precision=4, suppress=True, threshold=12, edgeitems=2):
            return " ".join(np.array2string(a, separator=", ").split())
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        value = int(value)
        if abs(value) >= 10**15:  # a huge int (the worker sends up to 4096 bits) stays short
            return f"{len(str(abs(value)))} digits"
        return str(value)
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    return repr(value)[:60]


def _shape_note(got: Any) -> str:
    return f" (shape {got.shape})" if isinstance(got, np.ndarray) and got.ndim else ""


def _shape_text(symbolic: str, actual: tuple[int, ...]) -> str:
    if symbolic == "like z":
        return f"{actual}, the shape of z"
    if symbolic == str(actual):
        return symbolic
    return f"{symbolic} = {actual}"


def _shape_hint(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    if len(got) == 2 and got[1] > 1 and (len(expected) < 2 or expected[-1] == 1):
        return (
            "An extra dimension like this usually comes from broadcasting: y may arrive as "
            "(n,) or (n, 1). What shape does y_hat - y have when y is (n,)?"
        )
    if len(got) == 1 and len(expected) == 2:
        return "The contract asks for a column: what does .reshape(-1, 1) do?"
    return "Print the shape of each intermediate result to find where it changes."


def _is_foreign(value: Any) -> bool:
    return hasattr(value, "type_name") and hasattr(value, "description")


def _foreign(value: Any) -> str:
    description = getattr(value, "description", "") or ""
    if value.type_name in description:
        return description  # "an ndarray subclass (numpy.matrix) of shape (3, 1) ..."
    return f"a {value.type_name} ({description})" if description else f"a {value.type_name}"


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    return f"a {type(value).__name__} ({show(value)})"
