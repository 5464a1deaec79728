"""Mistakes recognised by re-running the reference with the mistake put in. INSTRUCTOR-ONLY.

This module holds a working copy of the three descent algorithms (built from the reference's
own building blocks, with one knob per mistake), so it must never ship to students: `grade
release` leaves it out, like `solutions/` and the hidden suite. `explain` uses these rows only
when it is given a reference, which only the hidden side has.

A row recognises a mistake when the student's value equals, to rounding, the reference's result
with that mistake put in, on the same inputs, and that result differs from the right one.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import pickle
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from grader.feedback.diagnoses import Case, Mistake, mistake
from grader.feedback.mistakes import close

DESCENTS = ("lr_gradient_descent", "sgd", "logistic_gradient_descent")
#: Longer runs (epochs x batches) are not re-run: grading a wrong submission must stay quick, and
#: the shorter runs of the suite already show the same mistake.
MAX_STEPS = 1000
SHUFFLED = "lr_gradient_descent sgd"


@dataclass(frozen=True)
class Knobs:
    """One descent, right by default; each field puts one mistake in."""

    scale: float = 1.0  # gradients multiplied by this
    # what a batch's gradient is divided by: "batch" (its own size: right), "batch_size" (the
    # nominal size, even for the smaller last batch), "n" (the whole data set), "one" (a sum)
    divide: str = "batch"
    size: int | None = None  # the batch size used, when not the contract's min(n, batch_size)
    epochs: int = 0  # epochs run minus max_iter
    uphill: bool = False  # w + eta * dw instead of w - eta * dw
    freeze_b: bool = False  # b never updated
    drop_last: bool = False  # the last, smaller batch of an epoch skipped
    # "epoch" (right), "once", "reseeded" (same order each epoch), "legacy" (np.random.seed),
    # "none" (no shuffle), "cumulative" (the last order shuffled again), "replacement"
    order: str = "epoch"
    # "before" the update (right); "after-update"; "loss-after-update"; "prev-zero" (before,
    # but the previous loss starts at 0 instead of inf); "never"
    stop: str = "before"
    default_w: float | None = None  # the value of the default w, when not the contract's
    rng: Any = "given"  # "given": the call's rng; anything else replaces it


#: The mistakes, as knobs of the descent.
KNOBS: dict[str, Knobs] = {
    "right": Knobs(),
    "gradient x2": Knobs(scale=2.0),
    "gradient x0.5": Knobs(scale=0.5),
    "divided by n": Knobs(divide="n"),
    "uphill": Knobs(uphill=True),
    "b frozen": Knobs(freeze_b=True),
    "last batch dropped": Knobs(drop_last=True),
    "one order": Knobs(order="once"),
    "same order": Knobs(order="reseeded"),
    "stop after update": Knobs(stop="after-update"),
    "loss after update": Knobs(stop="loss-after-update"),
    "default zeros": Knobs(default_w=0.0),
    "default ones": Knobs(default_w=1.0),
    "legacy global generator": Knobs(order="legacy"),
    "no shuffle": Knobs(order="none"),
    "cumulative shuffle": Knobs(order="cumulative"),
    "with replacement": Knobs(order="replacement"),
}


def reference_module(reference: Any, module: str) -> Any:
    """`<package>.<module>` of the reference, given the package or any of its modules."""
    if isinstance(reference, str):
        package = reference
    else:
        package = getattr(reference, "__package__", None) or "solutions"  # solutions[.sgd]
    return importlib.import_module(f"{package}.{module}")


def run(case: Case, key: str, **changes: Any) -> Any:
    """The reference's whole result on the case's inputs with mistake `key`, or None."""
    if case.function not in DESCENTS or case.reference is None:
        return None
    knobs = replace(KNOBS[key], **changes)
    inputs = case.inputs
    try:
        n = len(np.asarray(inputs["X"]))
        size = {"sgd": 1, "logistic_gradient_descent": n}.get(case.function) or min(
            n, int(inputs["batch_size"])
        )
        if int(inputs["max_iter"]) * -(-n // size) > MAX_STEPS:
            return None
        if case.function == "logistic_gradient_descent":
            ref = reference_module(case.reference, "logistic_regression")
            return descend(
                lambda X, y, w, b: ref.bce(ref.predict_proba(X, w, b), y),
                ref.logistic_gradients,
                inputs["X"], inputs["y"], batch_size=None, eta=inputs["eta"], w=inputs["w"],
                b=inputs["b"], max_iter=inputs["max_iter"], tol=inputs["tol"], rng=None,
                default_w=0.0, knobs=knobs,
            )  # fmt: skip
        ref = reference_module(case.reference, "batch_gradient")
        batch_size = 1 if case.function == "sgd" else inputs["batch_size"]
        if inputs.get("rng") is None and knobs.rng == "given":
            return None  # an unseeded run cannot be reproduced
        return descend(
            lambda X, y, w, b: ref.mse(ref.predict(X, w, b), y),
            ref.gradients,
            inputs["X"], inputs["y"], batch_size=batch_size, eta=inputs["eta"], w=inputs["w"],
            b=inputs["b"], max_iter=inputs["max_iter"], tol=inputs["tol"], rng=inputs["rng"],
            default_w=1.0, knobs=knobs,
        )  # fmt: skip
    except Exception:  # noqa: BLE001 - a variant that cannot run explains nothing
        return None


def descend(loss, gradients, X, y, *, batch_size, eta, w, b, max_iter, tol, rng, default_w, knobs):
    """Gradient descent with the stopping rule of the contract, and the mistakes of `knobs`.

    `batch_size=None` is full-batch descent without shuffling (logistic regression).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    n, p = X.shape
    start_w = default_w if knobs.default_w is None else knobs.default_w
    w = np.full((p, 1), float(start_w)) if w is None else np.asarray(w, float).reshape(-1, 1)
    b = 0.0 if b is None else float(b)
    nominal = n if batch_size is None else min(n, batch_size)
    size = knobs.size or nominal
    seed = rng if knobs.rng == "given" else knobs.rng
    if knobs.order == "legacy":  # np.random.seed(seed), then NumPy's global functions
        generator = np.random.RandomState(seed)
    else:
        generator = np.random.default_rng(copy.deepcopy(seed))
    once = generator.permutation(n) if knobs.order == "once" and batch_size else None
    previous = 0.0 if knobs.stop == "prev-zero" else np.inf
    checks_before = knobs.stop in ("before", "prev-zero")
    order = np.arange(n)
    with np.errstate(all="ignore"):
        for _ in range(max(0, max_iter + knobs.epochs)):
            if batch_size is None or knobs.order == "none":
                order = np.arange(n)
            elif knobs.order == "once":
                order = once
            elif knobs.order == "reseeded":
                order = np.random.default_rng(copy.deepcopy(seed)).permutation(n)
            elif knobs.order == "cumulative":
                order = order[generator.permutation(n)]
            elif knobs.order == "replacement":
                order = generator.integers(0, n, size=n)
            else:
                order = generator.permutation(n)
            end = n - n % size if knobs.drop_last else n
            for first in range(0, end, size):
                batch = order[first : first + size]
                Xb, yb = X[batch], y[batch]
                value = loss(Xb, yb, w, b)
                if checks_before:
                    if abs(value - previous) < tol:
                        return w, b
                    previous = value
                dw, db = gradients(Xb, yb, w, b)
                divisor = {"batch": len(batch), "batch_size": nominal, "n": n, "one": 1}
                factor = knobs.scale * len(batch) / divisor[knobs.divide]
                if factor != 1.0:
                    dw, db = dw * factor, db * factor
                new_w = w + eta * dw if knobs.uphill else w - eta * dw
                new_b = b if knobs.freeze_b else (b + eta * db if knobs.uphill else b - eta * db)
                if knobs.stop in ("after-update", "loss-after-update"):
                    if knobs.stop == "loss-after-update":
                        value = loss(Xb, yb, new_w, new_b)
                    if abs(value - previous) < tol:
                        return new_w, new_b
                    previous = value
                w, b = new_w, float(new_b)
    return w, b


# --- the rows -----------------------------------------------------------------------------------


def matches(case: Case, key: str) -> bool:
    """The student's value is the variant's, and the variant is wrong on these inputs."""
    variant = case.variant(key)
    return variant is not None and close(case.got, variant) and not close(variant, case.expected)


def _batches(case: Case) -> dict[str, Any]:
    n = len(np.asarray(case.inputs["X"]))
    size = min(n, int(case.inputs.get("batch_size") or 1))
    return {"n": n, "batch_size": size, "batches": -(-n // size), "last": n % size or size}


@mistake(
    "divided by the data size",
    "lr_gradient_descent",
    "Your result matches gradients divided by n = {n}, the size of the whole data set, instead "
    "of by the size of each batch. In the formulas of the notes, N is the number of rows of the "
    "batch in hand: what does your gradient divide by, and is the last, smaller batch divided by "
    "its own size?",
)
def divided_by_n(case: Case) -> Any:
    return _batches(case) if matches(case, "divided by n") else False


@mistake(
    "divided by the data size",
    "sgd",
    "Your result matches gradients divided by n = {n}, the size of the whole data set. Each "
    "update of stochastic gradient descent uses one observation, so N = 1 in the formulas of the "
    "notes: what does your gradient divide by?",
)
def sgd_divided_by_n(case: Case) -> Any:
    return _batches(case) if matches(case, "divided by n") else False


@mistake(
    "factor 2 carried over to the cross-entropy",
    "logistic_gradient_descent",
    "Your result matches a descent whose gradients are twice those of the cross-entropy. The "
    "factor 2 belonged to the squared loss, where it came from differentiating a square: does "
    "the cross-entropy have a square to bring down a 2?",
)
def logistic_doubled(case: Case) -> Any:
    return matches(case, "gradient x2")


@mistake(
    "gradient twice too large",
    "lr_gradient_descent sgd",
    "Your result matches a descent whose gradients are twice those of the notes. Where does the "
    "factor in front of (y_hat - y) come from, and is it applied only once?",
)
def doubled(case: Case) -> Any:
    return matches(case, "gradient x2")


@mistake(
    "factor 2 missing",
    "lr_gradient_descent sgd",
    "Your result matches a descent whose gradients are half those of the notes. When you "
    "differentiate (y_hat - y)^2 with respect to y_hat, which factor comes down in front?",
)
def halved(case: Case) -> Any:
    return matches(case, "gradient x0.5")


@mistake(
    "update goes uphill",
    " ".join(DESCENTS),
    "Your result matches a descent that climbs uphill: every step moves along the gradient "
    "instead of against it. Is the residual prediction minus target, as in the derivative of "
    "the loss, and do you subtract eta times the gradient?",
)
def uphill(case: Case) -> Any:
    return matches(case, "uphill")


@mistake(
    "b never changes",
    " ".join(DESCENTS),
    "Your result matches a descent in which b has no effect: it stays at its starting value "
    "while w moves. Is there an update line for b next to the one for w, is its result the b "
    "you use in the next step, and do your predictions add b?",
)
def b_frozen(case: Case) -> Any:
    return matches(case, "b frozen")


@mistake(
    "last smaller batch dropped",
    "lr_gradient_descent",
    "Your result matches a descent that skips the last, smaller batch of each epoch. With n = "
    "{n} and batch_size = {batch_size}, an epoch has {batches} batches and the last one has "
    "{last} observations: does your loop over batches reach the end of the permutation?",
)
def last_batch_dropped(case: Case) -> Any:
    return _batches(case) if matches(case, "last batch dropped") else False


@mistake(
    "the same order in every epoch",
    SHUFFLED,
    "Your result matches a descent that visits the observations in the same order in every "
    "epoch. How many times should rng.permutation(n) be called: once per epoch? And is the "
    "generator made from rng only once, before the epochs, so that each epoch gets a new order?",
)
def same_order(case: Case) -> Any:
    return matches(case, "one order") or matches(case, "same order")


@mistake(
    "no shuffle",
    SHUFFLED,
    "Your result matches a descent that visits the observations in their original order, "
    "without shuffling. Where should the order of each epoch come from?",
)
def no_shuffle(case: Case) -> Any:
    return matches(case, "no shuffle")


@mistake(
    "the previous order shuffled again",
    SHUFFLED,
    "Your result matches a descent that shuffles the previous epoch's order again, instead of "
    "walking through rng.permutation(n) itself. From the second epoch on, is the order you use "
    "the permutation you drew?",
)
def cumulative_shuffle(case: Case) -> Any:
    return matches(case, "cumulative shuffle")


@mistake(
    "indices drawn with replacement",
    SHUFFLED,
    "Your result matches a descent that draws n random indices with replacement, so some "
    "observations are used twice in an epoch and others not at all. Which draw gives every "
    "index exactly once?",
)
def with_replacement(case: Case) -> Any:
    return matches(case, "with replacement")


@mistake(
    "stopping rule checked after the update",
    " ".join(DESCENTS),
    "Your result matches a descent that checks the stopping rule after the update. The rule "
    "compares the loss of the current batch, before updating, with the previous one, and "
    "returns (w, b) without updating when the change is below tol. Where does your check sit "
    "relative to the update?",
)
def stop_after_update(case: Case) -> Any:
    return matches(case, "stop after update") or matches(case, "loss after update")


@mistake(
    "wrong default start",
    " ".join(DESCENTS),
    "Your result matches a descent that starts from w filled with {value:g} when no w is given. "
    "What starting w does the docstring give for this function when the caller passes none?",
)
def wrong_default(case: Case) -> Any:
    if case.inputs.get("w") is not None:
        return False
    key = "default ones" if case.function == "logistic_gradient_descent" else "default zeros"
    return {"value": KNOBS[key].default_w} if matches(case, key) else False


@mistake(
    "the global random generator instead of rng",
    SHUFFLED,
    "Your result matches a descent that shuffles with NumPy's global generator seeded with rng "
    "(np.random.seed) instead of the generator that numpy.random.default_rng(rng) gives you. "
    "The two draw different orders from the same seed: which one does the contract ask for?",
)
def legacy_seeded(case: Case) -> Any:
    seed = case.inputs.get("rng")
    return isinstance(seed, (int, np.integer)) and matches(case, "legacy global generator")


# --- the search: combinations of the loop's knobs ------------------------------------------------

#: Bounds of one search: batch steps over all the runs it tries, and seconds.
SEARCH_STEPS = 60_000
SEARCH_SECONDS = 0.6


@dataclass(frozen=True)
class Setting:
    """One value of one knob of the loop, with what it does and the question that leads to it."""

    changes: dict
    does: str
    asks: str


def dimensions(case: Case) -> list[list[Setting]]:
    """The loop's knobs that apply to `case`'s descent, each with its wrong settings."""
    inputs = case.inputs
    n = len(np.asarray(inputs["X"]))
    stochastic = case.function == "sgd"
    full_batch = case.function == "logistic_gradient_descent"
    nominal = 1 if stochastic else (n if full_batch else min(n, int(inputs["batch_size"])))
    knobs: list[list[Setting]] = []
    if not full_batch:
        knobs.append([
            Setting({"size": k}, f"uses batches of {k} observation{'s' * (k > 1)}",
                    "Where does your loop take the size of a batch from: is it "
                    + ("one observation per update?" if stochastic else "min(n, batch_size)?"))
            for k in range(1, n + 1) if k != nominal
        ])  # fmt: skip
    divide = [
        Setting({"divide": "n"}, f"divides each gradient by n = {n}, the size of the whole data",
                "What is N in the formulas of the notes: the rows of the batch in hand?"),
        Setting({"divide": "one"}, "sums each gradient over its batch without dividing",
                "Is your gradient a mean over the batch, as the loss is?"),
    ]  # fmt: skip
    if not (stochastic or full_batch):
        divide.insert(0, Setting({"divide": "batch_size"}, "divides every gradient by "
                                 "batch_size, the last, smaller batch too",
                                 "What is N for the last batch of an epoch?"))  # fmt: skip
    knobs.append(divide)
    knobs.append([
        Setting({"scale": 2.0}, "has gradients twice those of the notes",
                "Where does the factor in front of the residual come from? Is it applied once?"),
        Setting({"scale": 0.5}, "has gradients half those of the notes",
                "Which factor comes down when you differentiate a square?"),
    ])  # fmt: skip
    if not full_batch:
        knobs.append([
            Setting({"order": "once"}, "walks one permutation in every epoch",
                    "Is rng.permutation(n) drawn once per epoch?"),
            Setting({"order": "reseeded"}, "makes a new generator from rng every epoch",
                    "Is the generator made from rng once, before the epochs?"),
            Setting({"order": "none"}, "does not shuffle",
                    "Where should the order of each epoch come from?"),
            Setting({"order": "cumulative"}, "shuffles the previous epoch's order again",
                    "Is the order you walk the permutation you drew?"),
            Setting({"order": "replacement"}, "draws indices with replacement",
                    "Which draw gives every index exactly once?"),
        ])  # fmt: skip
        if not stochastic:
            knobs[-1].append(
                Setting(
                    {"drop_last": True},
                    "skips the last, smaller batch",
                    "Does your loop over batches reach the end of the order?",
                )
            )
    knobs.append([
        Setting({"stop": "after-update"}, "checks the stopping rule after the update",
                "Where does your check sit relative to the update?"),
        Setting({"stop": "prev-zero"}, "starts the previous loss at 0",
                "What should the first loss be compared with, so that the first step is taken?"),
        Setting({"stop": "never"}, "never applies the stopping rule",
                "Where does your loop compare the change of the loss with tol?"),
    ])  # fmt: skip
    knobs.append([
        Setting({"epochs": 1}, "runs one epoch more than max_iter",
                "How many times does your epoch loop run?"),
        Setting({"epochs": -1}, "runs one epoch fewer than max_iter",
                "How many times does your epoch loop run?"),
    ])  # fmt: skip
    knobs.append([
        Setting({"uphill": True}, "steps uphill, along the gradient",
                "Do you subtract eta times the gradient?"),
        Setting({"freeze_b": True}, "never updates b",
                "Is the updated b the one you use next?"),
    ])  # fmt: skip
    if inputs.get("w") is None:
        default = 0.0 if full_batch else 1.0
        knobs.append([
            Setting({"default_w": value}, f"starts from w filled with {value:g}",
                     "What starting w does the docstring give when none is passed?")
            for value in (0.0, 1.0) if value != default
        ])  # fmt: skip
    return knobs


def combinations(knobs: list[list[Setting]]):
    """Every single wrong setting, then every pair of settings of two different knobs, the
    pairs of small knobs first (the batch size, with up to n settings, comes last)."""
    for dimension in knobs:
        for setting in dimension:
            yield (setting,)
    pairs = [(a, b) for i, first in enumerate(knobs) for b in knobs[i + 1 :] for a in [first]]
    for first, second in sorted(pairs, key=lambda pair: len(pair[0]) * len(pair[1])):
        for a in first:
            for b in second:
                yield (a, b)


def _count(knobs: list[list[Setting]]) -> int:
    sizes = [len(k) for k in knobs]
    return sum(sizes) + sum(a * b for i, a in enumerate(sizes) for b in sizes[i + 1 :])


def _steps(case: Case, changes: dict) -> int:
    """Batch steps of one run with these changes (its cost)."""
    n = len(np.asarray(case.inputs["X"]))
    if case.function == "logistic_gradient_descent":
        size = n
    elif case.function == "sgd":
        size = 1
    else:
        size = min(n, int(case.inputs["batch_size"]))
    size = changes.get("size", size)
    return (int(case.inputs["max_iter"]) + changes.get("epochs", 0)) * -(-n // size)


def search(case: Case) -> dict[str, str] | None:
    """What the combination of one or two knob settings that reproduces the student's item
    exactly (and differs from the right answer) does and asks, or None.

    Bounded: at most SEARCH_STEPS batch steps and SEARCH_SECONDS per search, and
    SEARCH_TOTAL_SECONDS in one grading process (one submission); a run longer than MAX_STEPS is
    skipped. Only the reference's building blocks run here, never the student's code. The runs
    are shared by the two items of a pair (w, then b) on the same inputs.
    """
    if case.function not in DESCENTS or case.reference is None or case.index is None:
        return None
    if case.function != "logistic_gradient_descent" and case.inputs.get("rng") is None:
        return None
    if case.function in _GAVE_UP:
        return None
    if case.earlier and not close(case.again(), case.got):  # not reproducible: nothing explains it
        return None
    knobs = dimensions(case)
    if _steps(case, {}) * _count(knobs) > SEARCH_STEPS:
        return None  # too long a run to search: the suite's shorter runs will show the mistake
    started = time.monotonic()
    deadline = started + min(SEARCH_SECONDS, SEARCH_TOTAL_SECONDS - _SPENT[0])
    runs = _runs_of(case)
    spent = 0
    try:
        for combination in combinations(knobs):
            changes = {k: v for setting in combination for k, v in setting.changes.items()}
            key = tuple(sorted(changes.items()))
            if key not in runs:
                cost = _steps(case, changes)
                if cost > MAX_STEPS:
                    continue
                spent += cost
                if spent > 2 * SEARCH_STEPS or time.monotonic() > deadline:
                    _GAVE_UP.add(case.function)
                    return None
                runs[key] = run(case, "right", **changes)
            whole = runs[key]
            if whole is None:
                continue
            item = whole[case.index]
            if close(case.got, item) and not close(item, case.expected):
                does = " and ".join(s.does for s in combination)
                asks = " ".join(dict.fromkeys(s.asks for s in combination))
                return {"does": does, "asks": asks}
        _GAVE_UP.add(case.function)
        return None
    finally:
        _SPENT[0] += time.monotonic() - started


#: Seconds all searches may take in one grading process (one submission), what they took so
#: far, and the functions whose search ran out of bounds once (their other tests are not searched:
#: a mistake the search can reach shows on the suite's small runs already).
SEARCH_TOTAL_SECONDS = 1.0
_SPENT = [0.0]
_GAVE_UP: set[str] = set()
#: The runs of the last inputs searched (the w item and then the b item share them).
_LAST: dict[str, dict] = {}


def _runs_of(case: Case) -> dict:
    """The cache of runs for the case's function and inputs (the suite's own values)."""
    key = case.function + hashlib.sha256(pickle.dumps(sorted(case.inputs.items()))).hexdigest()
    if key not in _LAST:
        _LAST.clear()
        _LAST[key] = {}
    return _LAST[key]


@mistake(
    "a combination of the loop's knobs",
    " ".join(DESCENTS),
    "Your result matches, exactly, a descent that {does}. {asks}",
)
def searched(case: Case) -> Any:
    return search(case) or False


MISTAKES: list[Mistake] = [
    b_frozen, uphill, logistic_doubled, doubled, halved, divided_by_n, sgd_divided_by_n,
    last_batch_dropped, stop_after_update, same_order, no_shuffle, cumulative_shuffle,
    with_replacement, wrong_default, legacy_seeded, searched,
]  # fmt: skip
