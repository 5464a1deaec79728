"""Each mistake in a descent is recognised from a deliberately wrong, student-style implementation.

The descents below are written the way the notes write them (loops, `2 / N`, `np.mean`), with
one switch per mistake; they share no code with `grader.feedback.variants`. The variant
detectors need the reference, as on the hidden side.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import solutions
from grader.datasets import make_classification, make_regression
from grader.feedback import variants
from grader.feedback.diagnoses import Case, bind

XR, YR, _, _ = make_regression(n=12, p=2, seed=5)
XC, YC, _, _ = make_classification(n=30, p=2, seed=3)


def lr_gradient_descent_with(
    *, divide_by_n=False, freeze_b=False, uphill=False, factor=2.0, drop_last=False,
    order="epoch", check_after=False, global_rng=False, default_w=1.0, in_place=False,
    flat_y=False, by_batch_size=False, extra_epochs=0, fixed_size=None,
):  # fmt: skip
    """A student's mini-batch descent with the chosen mistakes (None of them: a right one)."""

    def lr_gradient_descent(
        X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
    ):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float) if flat_y else np.asarray(y, dtype=float).reshape(-1, 1)
        N, p = X.shape
        if w is None:
            w = np.full((p, 1), default_w)
        elif not in_place:
            w = np.array(w, dtype=float)
        b = 0.0 if b is None else float(b)
        generator = np.random.default_rng(rng)
        batch_size = fixed_size or min(N, batch_size)
        num_batches = N // batch_size if drop_last else -(-N // batch_size)
        fixed = generator.permutation(N) if order == "once" else None
        prev_error = np.inf
        for _ in range(max_iter + extra_epochs):
            if global_rng:
                indices = np.random.permutation(N)
            elif order == "legacy":
                if _ == 0:
                    np.random.seed(rng)
                indices = np.arange(N)
                np.random.shuffle(indices)
            elif order == "once":
                indices = fixed
            elif order == "reseeded":
                indices = np.random.default_rng(rng).permutation(N)
            elif order == "none":
                indices = np.arange(N)
            elif order == "cumulative":
                indices = (np.arange(N) if _ == 0 else indices)[generator.permutation(N)]
            elif order == "replacement":
                indices = generator.integers(0, N, size=N)
            else:
                indices = generator.permutation(N)
            for k in range(num_batches):
                batch = indices[k * batch_size : (k + 1) * batch_size]
                X_batch, y_batch = X[batch], y[batch]
                y_hat = X_batch @ w + b
                error = np.mean((y_hat - y_batch) ** 2)
                if not check_after:
                    if abs(error - prev_error) < tol:
                        return w, b
                    prev_error = error
                size = N if divide_by_n else batch_size if by_batch_size else len(batch)
                dw = factor / size * X_batch.T @ (y_hat - y_batch)
                db = factor / size * np.sum(y_hat - y_batch)
                if uphill:
                    w, b = w + eta * dw, b + eta * db
                else:
                    if in_place:
                        w -= eta * dw
                    else:
                        w = w - eta * dw
                    if not freeze_b:
                        b = b - eta * db
                if check_after:
                    if abs(error - prev_error) < tol:
                        return w, b
                    prev_error = error
        return w, b

    return lr_gradient_descent


def sgd_with(*, divide_by_n=False, freeze_b=False, global_rng=False, check_after=False):
    """A student's stochastic gradient descent, one observation at a time."""

    def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float).ravel()
        n, p = X.shape
        w = np.ones((p, 1)) if w is None else np.array(w, dtype=float).reshape(p, 1)
        b = 0.0 if b is None else float(b)
        generator = np.random.default_rng(rng)
        previous = np.inf
        for _ in range(max_iter):
            order = np.random.permutation(n) if global_rng else generator.permutation(n)
            for i in order:
                x_i = X[i].reshape(1, p)
                residual = (x_i @ w).item() + b - y[i]
                loss = residual**2
                if not check_after and abs(loss - previous) < tol:
                    return w, b
                if not check_after:
                    previous = loss
                scale = 2.0 / n if divide_by_n else 2.0
                w = w - eta * scale * residual * x_i.T
                if not freeze_b:
                    b = b - eta * scale * residual
                if check_after:
                    if abs(loss - previous) < tol:
                        return w, b
                    previous = loss
        return w, b

    return sgd


def logistic_gradient_descent_with(
    *, factor=1.0, freeze_b=False, uphill=False, check_after=False, default_w=0.0
):
    """A student's full-batch logistic regression."""

    def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float).reshape(-1, 1)
        N, p = X.shape
        w = np.full((p, 1), default_w) if w is None else np.array(w, dtype=float)
        b = 0.0 if b is None else float(b)
        prev = np.inf
        for _ in range(max_iter):
            z = X @ w + b
            prob = np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), 1 - 1 / (1 + np.exp(-np.abs(z))))
            pc = np.clip(prob, 1e-12, 1 - 1e-12)
            loss = -np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc))
            if not check_after:
                if abs(loss - prev) < tol:
                    return w, b
                prev = loss
            dw = factor / N * X.T @ (prob - y)
            db = factor / N * np.sum(prob - y)
            sign = 1.0 if uphill else -1.0
            w = w + sign * eta * dw
            if not freeze_b:
                b = b + sign * eta * db
            if check_after:
                if abs(loss - prev) < tol:
                    return w, b
                prev = loss
        return w, b

    return logistic_gradient_descent


LR = "batch_gradient.lr_gradient_descent"
LR_ARGS = (XR, YR)
LR_KW = {"batch_size": 5, "max_iter": 4, "rng": 7}
SGD = "sgd.sgd"
SGD_KW = {"eta": 0.02, "max_iter": 3, "rng": np.random.default_rng(11)}
LOG = "logistic_regression.logistic_gradient_descent"
LOG_KW = {"eta": 0.5, "max_iter": 40}

CASES = [
    ("right", LR, lr_gradient_descent_with(), LR_KW, None),
    ("divided by n", LR, lr_gradient_descent_with(divide_by_n=True), LR_KW,
     "divided by the data size"),
    ("b frozen", LR, lr_gradient_descent_with(freeze_b=True), LR_KW, "b never changes"),
    ("uphill", LR, lr_gradient_descent_with(uphill=True), {**LR_KW, "eta": 0.01},
     "update goes uphill"),
    ("gradient x2", LR, lr_gradient_descent_with(factor=4.0), {**LR_KW, "eta": 0.02},
     "gradient twice too large"),
    ("gradient x0.5", LR, lr_gradient_descent_with(factor=1.0), LR_KW, "factor 2 missing"),
    ("last batch dropped", LR, lr_gradient_descent_with(drop_last=True), LR_KW,
     "last smaller batch dropped"),
    ("one order", LR, lr_gradient_descent_with(order="once"), LR_KW,
     "the same order in every epoch"),
    ("reseeded", LR, lr_gradient_descent_with(order="reseeded"), LR_KW,
     "the same order in every epoch"),
    ("no shuffle", LR, lr_gradient_descent_with(order="none"), LR_KW, "no shuffle"),
    ("cumulative", LR, lr_gradient_descent_with(order="cumulative"), LR_KW,
     "the previous order shuffled again"),
    ("with replacement", LR, lr_gradient_descent_with(order="replacement"), LR_KW,
     "indices drawn with replacement"),
    ("check after, huge tol", LR, lr_gradient_descent_with(check_after=True),
     {**LR_KW, "tol": 1e12}, "stopping rule checked after the update"),
    ("check after, tol 0.05", LR, lr_gradient_descent_with(check_after=True),
     {**LR_KW, "tol": 0.05, "max_iter": 50}, "stopping rule checked after the update"),
    ("default zeros", LR, lr_gradient_descent_with(default_w=0.0), LR_KW, "wrong default start"),
    ("in place", LR, lr_gradient_descent_with(in_place=True),
     {**LR_KW, "w": np.array([[0.5], [-0.5]])}, "the caller's array was modified in place"),
    ("(n, n)", LR, lr_gradient_descent_with(flat_y=True),
     {**LR_KW, "batch_size": 4, "y": YR.ravel()}, "broadcast (n, n)"),
    ("sgd right", SGD, sgd_with(), SGD_KW, None),
    ("sgd divided by n", SGD, sgd_with(divide_by_n=True), SGD_KW, "divided by the data size"),
    ("sgd b frozen", SGD, sgd_with(freeze_b=True), SGD_KW, "b never changes"),
    ("sgd check after", SGD, sgd_with(check_after=True), {**SGD_KW, "tol": 1e12},
     "stopping rule checked after the update"),
    ("logistic right", LOG, logistic_gradient_descent_with(), LOG_KW, None),
    ("logistic x2", LOG, logistic_gradient_descent_with(factor=2.0), LOG_KW,
     "factor 2 carried over to the cross-entropy"),
    ("logistic b frozen", LOG, logistic_gradient_descent_with(freeze_b=True), LOG_KW,
     "b never changes"),
    ("logistic uphill", LOG, logistic_gradient_descent_with(uphill=True), LOG_KW,
     "update goes uphill"),
    ("logistic check after", LOG, logistic_gradient_descent_with(check_after=True),
     {**LOG_KW, "tol": 0.01}, "stopping rule checked after the update"),
    ("logistic default ones", LOG, logistic_gradient_descent_with(default_w=1.0), LOG_KW,
     "wrong default start"),
]  # fmt: skip


def args_for(function, kwargs):
    kwargs = dict(kwargs)
    X = kwargs.pop("X", XC if function == LOG else XR)
    y = kwargs.pop("y", YC if function == LOG else YR)
    return (X, y), kwargs


@pytest.mark.parametrize(
    ("function", "wrong", "kwargs", "key"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_descent_mistakes_are_recognised_with_the_reference(diagnose, function, wrong, kwargs, key):
    args, kwargs = args_for(function, kwargs)
    found = diagnose(function, wrong, *args, **kwargs)
    if key is None:
        # The student-style right descents agree with the reference: nothing to diagnose.
        assert found is None
    else:
        assert found is not None, "no diagnosis"
        assert found[0] == key, found[1]


@pytest.mark.parametrize(
    ("function", "wrong", "kwargs"),
    [
        (LR, lr_gradient_descent_with(global_rng=True), LR_KW),
        (LR, lr_gradient_descent_with(global_rng=True), {**LR_KW, "rng": np.random.default_rng(4)}),
        (SGD, sgd_with(global_rng=True), SGD_KW),
    ],
    ids=["lr int seed", "lr Generator", "sgd"],
)
@pytest.mark.parametrize("state", range(5))
def test_the_global_random_generator_is_recognised(diagnose, function, wrong, kwargs, state):
    """Whatever state NumPy's global generator is in, a run that ignores rng is recognised
    when the suite called it twice on the same inputs (even without the reference)."""
    np.random.seed(state)
    args, kwargs = args_for(function, kwargs)
    found = diagnose(function, wrong, *args, twice=True, reference=None, **kwargs)
    assert found is not None and found[0] == "results do not depend on rng"


def test_a_global_generator_seeded_with_rng_is_recognised(diagnose):
    """np.random.seed(rng) and the global functions: reproducible, but not the contract's order."""
    wrong = lr_gradient_descent_with(order="legacy")
    found = diagnose(LR, wrong, XR, YR, twice=True, **LR_KW)
    assert found[0] == "the global random generator instead of rng"


@pytest.mark.parametrize("factor", [1.9, 2.05, 2.2, 3.0])
@pytest.mark.parametrize("default_w", [1.0, 0.5])
def test_near_misses_get_no_diagnosis(diagnose, factor, default_w):
    """No false alarm: a descent that is off for a reason the table does not know says nothing."""
    wrong = lr_gradient_descent_with(factor=factor, default_w=default_w)
    assert diagnose(LR, wrong, XR, YR, twice=True, **LR_KW) is None


def test_relation_only_b_frozen_in_a_descent_without_reference(diagnose):
    """b is the start: seen without the reference; w needs the variant."""
    wrong = lr_gradient_descent_with(freeze_b=True)
    found = diagnose(LR, wrong, XR, YR, reference=None, part="b", **LR_KW)
    assert found[0] == "b never changes"
    assert diagnose(LR, wrong, XR, YR, reference=None, part="w", **LR_KW) is None


def test_without_the_reference_no_variant_is_tried(diagnose):
    found = diagnose(LR, lr_gradient_descent_with(drop_last=True), XR, YR, reference=None, **LR_KW)
    assert found is None


@pytest.mark.parametrize(
    ("function", "kwargs"),
    [
        (LR, {"batch_size": 5, "max_iter": 6, "rng": 3}),
        (LR, {"batch_size": 4, "max_iter": 3, "tol": 0.05, "rng": np.random.default_rng(2)}),
        (LR, {"batch_size": 32, "max_iter": 3, "rng": 1}),
        (SGD, {"max_iter": 3, "rng": 9}),
        (LOG, {"max_iter": 30, "tol": 1e-3}),
    ],
)
def test_the_right_variant_is_the_reference_exactly(function, kwargs):
    """The variants' descent without a mistake reproduces the reference bit for bit."""
    module, short = function.split(".")
    X, y = (XC, YC) if function == LOG else (XR, YR)
    reference = getattr(getattr(solutions, module), short)
    w, b = reference(X, y, **copy.deepcopy(kwargs))
    case = Case(module, short, None, None, bind(function, (X, y), kwargs), reference=solutions)
    vw, vb = variants.run(case, "right")
    assert np.array_equal(w, vw) and b == vb


def test_variants_leave_the_callers_generator_alone():
    generator = np.random.default_rng(5)
    state = copy.deepcopy(generator.bit_generator.state)
    case = Case(
        "batch_gradient", "lr_gradient_descent", None, None,
        bind(LR, (XR, YR), {"batch_size": 5, "max_iter": 2, "rng": generator}), reference=solutions,
    )  # fmt: skip
    variants.run(case, "right")
    assert generator.bit_generator.state == state


# --- the search over the loop's knobs -------------------------------------------------------------

SEARCHED = "a combination of the loop's knobs"


@pytest.mark.parametrize(
    ("wrong", "kwargs", "words"),
    [
        pytest.param(lr_gradient_descent_with(by_batch_size=True), LR_KW,
                     "divides every gradient by batch_size", id="divides by batch_size"),
        pytest.param(lr_gradient_descent_with(extra_epochs=1), LR_KW,
                     "runs one epoch more than max_iter", id="one epoch more"),
        pytest.param(lr_gradient_descent_with(fixed_size=3), LR_KW, "uses batches of 3",
                     id="batch size fixed at 3"),
        pytest.param(lr_gradient_descent_with(drop_last=True, check_after=True),
                     {**LR_KW, "tol": 0.05, "max_iter": 50},
                     "skips the last, smaller batch and checks the stopping rule after",
                     id="last batch dropped and check after"),
        pytest.param(lr_gradient_descent_with(drop_last=True, factor=1.0), LR_KW,
                     "half those of the notes and skips the last, smaller batch",
                     id="factor 2 missing and last batch dropped"),
        pytest.param(lr_gradient_descent_with(order="once", uphill=True), {**LR_KW, "eta": 0.01},
                     "walks one permutation in every epoch and steps uphill",
                     id="one order and uphill"),
    ],
)  # fmt: skip
def test_the_search_names_combinations_the_list_does_not_hold(diagnose, wrong, kwargs, words):
    """Mistakes that no listed row holds, alone or two at once, are named by the search."""
    found = diagnose(LR, wrong, XR, YR, **kwargs)
    assert found is not None and found[0] == SEARCHED, found
    assert words in found[1]
    assert found[1].count("?") >= 1, "the sentence asks a guiding question"


@pytest.mark.parametrize("factor", [1.9, 2.05, 3.0])
@pytest.mark.parametrize("second", [{"drop_last": True}, {"order": "once"}])
def test_near_misses_of_two_mistakes_get_no_diagnosis(diagnose, factor, second):
    """A combination the search does not hold (a factor that is not 0.5 or 2) says nothing."""
    wrong = lr_gradient_descent_with(factor=factor, **second)
    assert diagnose(LR, wrong, XR, YR, **LR_KW) is None


def test_the_search_is_bounded():
    """A search stops at its bounds: the budget of the grading process is kept."""
    variants._SPENT[0] = variants.SEARCH_TOTAL_SECONDS
    case = Case(
        "batch_gradient", "lr_gradient_descent", np.zeros((2, 1)), np.ones((2, 1)),
        bind(LR, (XR, YR), LR_KW), part="w", reference=solutions,
    )  # fmt: skip
    assert variants.search(case) is None
