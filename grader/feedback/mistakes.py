"""Mistakes recognised from a relation between the student's value, the expected one and the inputs.

Nothing here computes a right answer: every detector compares what the student returned with
what was expected ("exactly twice", "exactly the negative", "the starting value") or with a
*wrong* formula built from the inputs (the `(n, n)` broadcast). That is why this table may ship
with the public suite. Order matters: shapes and types first, then values.

Each message is course material: it says what was observed, precisely, and asks a question that
points the way without giving the code.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from grader.feedback.diagnoses import MATCH, Case, Mistake, mistake

GD = "lr_gradient_descent sgd logistic_gradient_descent"
PAIR_FUNCTIONS = f"gradients logistic_gradients update sgd_step {GD}"
EVERYTHING = (
    "batch_gradient.predict mse gradients update lr_gradient_descent sgd_step sgd sigmoid "
    "predict_proba bce logistic_gradients logistic_gradient_descent logistic_regression.predict"
)


# --- helpers ------------------------------------------------------------------------------------


def number_array(value: Any) -> np.ndarray | None:
    """`value` as a float array when it is a real number or a numeric array, else None."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        return None
    try:
        a = np.asarray(value)
    except Exception:  # noqa: BLE001
        return None
    return a.astype(float) if a.dtype.kind in "iuf" else None


def close(got: Any, other: Any) -> bool:
    """True when `got` is `other` up to rounding (same shape, finite)."""
    a, b = number_array(got), number_array(other)
    if a is None or b is None or a.shape != b.shape or a.size == 0:
        return False
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return False
    return bool(np.allclose(a, b, rtol=MATCH[0], atol=MATCH[1]))


def nonzero(value: Any) -> bool:
    """True when `value` is clearly not zero (so that "k times it" means something)."""
    a = number_array(value)
    return a is not None and bool(np.any(np.abs(a) > 1e-6))


def times(case: Case, k: float) -> bool:
    """The student's value is exactly `k` times the expected one (and that differs from it)."""
    return nonzero(case.expected) and close(case.got, k * number_array(case.expected))


def column(value: Any) -> np.ndarray:
    return np.asarray(value, dtype=float).reshape(-1, 1)


#: Inputs that may arrive flat, each with the input it meets in a subtraction (None: y_hat).
_PARTNERS = {"y": None, "y_true": "y_pred", "y_pred": "y_true", "p": "y"}


def flat_input(case: Case) -> tuple[str, np.ndarray] | None:
    """An input that arrived flat `(n,)`, n > 1, and meets an `(n, 1)` column in a subtraction."""
    for name, partner in _PARTNERS.items():
        value = case.inputs.get(name)
        if not (isinstance(value, np.ndarray) and value.ndim == 1 and value.size > 1):
            continue
        other = case.inputs.get(partner) if partner else None
        if partner is None or (other is not None and np.ndim(other) == 2):
            return name, value
    return None


def step_is(case: Case, k: float) -> bool:
    """From its starting value, the student's item moved `k` times the expected step."""
    start = case.start()
    if start is None:
        return False
    start_a, expected = number_array(start), number_array(case.expected)
    if start_a is None or expected is None:
        return False
    start_a = start_a.reshape(expected.shape) if start_a.size == expected.size else start_a
    step = expected - start_a
    return nonzero(step) and close(case.got, start_a + k * step)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.exp(-np.logaddexp(0.0, -z))


# --- shapes and types ---------------------------------------------------------------------------


@mistake(
    "broadcast (n, n)",
    "mse gradients lr_gradient_descent sgd bce logistic_gradients logistic_gradient_descent",
    "Your {name} has shape {got_shape} instead of {expected_shape}. `{arg}` arrived as a flat "
    "array of shape {flat_shape}, and an (n, 1) column minus an (n,) array broadcasts to an "
    "(n, n) matrix. "
    "What shape does y_hat - y have in your code? How can you make both sides columns before "
    "you subtract?",
)
def broadcast_shape(case: Case) -> Any:
    flat = flat_input(case)
    got, expected = case.got, np.asarray(case.expected)
    if flat is None or not isinstance(got, np.ndarray) or got.ndim != 2:
        return False
    if got.shape == expected.shape or got.shape == expected.shape[::-1]:
        return False
    if got.shape[1] > 1 and (expected.ndim < 2 or expected.shape[1] == 1):
        return {"got_shape": got.shape, "expected_shape": expected.shape, "arg": flat[0],
                "flat_shape": flat[1].shape}  # fmt: skip
    return False


@mistake(
    "broadcast (n, n)",
    "mse gradients bce logistic_gradients",
    "Your {name} is what you get when y_hat - y becomes an (n, n) matrix: `{arg}` arrived with "
    "shape {flat_shape}, and an (n, 1) column minus an (n,) array broadcasts to ({n}, {n}). "
    "What shape "
    "does your difference have? Print it, then make both sides columns before you subtract.",
)
def broadcast_value(case: Case) -> Any:
    flat = flat_input(case)
    if flat is None:
        return False
    arg, value = flat
    n = value.size
    fields = {"arg": arg, "flat_shape": value.shape, "n": n}
    if case.function in ("gradients", "logistic_gradients"):
        # sum over an (n, n) matrix of y_hat_i - y_j is n times the sum of the column.
        return fields if case.part == "db" and times(case, n) else False
    if case.function == "mse":
        a, b = case.inputs["y_pred"], case.inputs["y_true"]
        pairs = (np.asarray(a, float).reshape(-1, 1) - np.ravel(b).astype(float),
                 np.ravel(a).astype(float) - np.asarray(b, float).reshape(-1, 1))  # fmt: skip
        return fields if any(close(case.got, np.mean(d**2)) for d in pairs) else False
    if case.function == "bce":
        eps = case.inputs.get("eps", 1e-12)
        p = np.clip(np.asarray(case.inputs["p"], float), eps, 1 - eps)
        y = np.asarray(case.inputs["y"], float)
        for p_, y_ in ((p.reshape(-1, 1), y.ravel()), (p.ravel(), y.reshape(-1, 1)),
                       (p.reshape(-1, 1), y.reshape(1, -1))):  # fmt: skip
            if close(case.got, -np.mean(y_ * np.log(p_) + (1 - y_) * np.log(1 - p_))):
                return fields
    return False


@mistake(
    "a single number expected",
    EVERYTHING,
    "Your {name} should be a single number, but yours is an array of shape {got_shape}. Which step "
    "left it inside an array? A sum or a mean over all entries, or indexing one element, gives a "
    "plain number.",
)
def not_a_scalar(case: Case) -> Any:
    got = case.got
    if isinstance(got, np.ndarray) and got.ndim > 0 and np.ndim(case.expected) == 0:
        return {"got_shape": got.shape}
    return False


@mistake(
    "flat instead of a column",
    EVERYTHING,
    "Your {name} is a flat array of shape {got_shape}, but the contract asks for a column of shape "
    "{expected_shape}. Where did the second dimension go, and how do you turn a flat array into "
    "a column?",
)
def flat_not_column(case: Case) -> Any:
    got, expected = case.got, np.asarray(case.expected)
    if isinstance(got, np.ndarray) and got.ndim == 1 and expected.ndim == 2 \
            and expected.shape[1] == 1 and got.size == expected.size:  # fmt: skip
        return {"got_shape": got.shape, "expected_shape": expected.shape}
    return False


@mistake(
    "row instead of a column",
    EVERYTHING,
    "Your {name} is a row of shape {got_shape} where a column of shape {expected_shape} is "
    "expected. In dL/dw = X^T (y_hat - y), which factor is transposed, and in which order are "
    "the two multiplied?",
)
def row_not_column(case: Case) -> Any:
    got, expected = case.got, np.asarray(case.expected)
    if isinstance(got, np.ndarray) and expected.ndim == 2 and expected.shape[1] == 1 \
            and expected.shape[0] > 1 and got.shape == expected.shape[::-1]:  # fmt: skip
        return {"got_shape": got.shape, "expected_shape": expected.shape}
    return False


@mistake(
    "wrong shape",
    EVERYTHING,
    "Your {name} has shape {got_shape}, but shape {expected_shape} is expected. Print the shape of "
    "each intermediate result: where does it first differ from what you expect?",
)
def other_shape(case: Case) -> Any:
    got, expected = case.got, np.asarray(case.expected)
    if isinstance(got, np.ndarray) and expected.ndim > 0 and got.shape != expected.shape:
        return {"got_shape": got.shape, "expected_shape": expected.shape}
    return False


@mistake(
    "labels of the wrong type",
    "logistic_regression.predict",
    "Your labels have dtype {dtype}, but the contract asks for integers 0 and 1. Which dtype "
    "does a comparison produce, and how do you convert an array to another dtype?",
)
def labels_dtype(case: Case) -> Any:
    got = case.got
    if isinstance(got, np.ndarray) and got.dtype.kind not in "iu":
        return {"dtype": got.dtype}
    return False


@mistake(
    "True/False instead of numbers",
    EVERYTHING.replace("logistic_regression.predict", ""),
    "Your {name} holds True/False values (dtype bool), but numbers are expected. Which comparison "
    "produced them?",
)
def booleans(case: Case) -> Any:
    return isinstance(case.got, np.ndarray) and case.got.dtype.kind == "b"


@mistake(
    "whole numbers only",
    EVERYTHING.replace("logistic_regression.predict", ""),
    "Your {name} holds only whole numbers (dtype {dtype}), as if the results were rounded "
    "down. The notes start from w = np.array([[1], [1]]), an integer array: does your code "
    "write float results into an integer array, for example one you copied or created with the "
    "dtype of an input?",
)
def truncated(case: Case) -> Any:
    got, expected = case.got, number_array(case.expected)
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "iu" or expected is None:
        return False
    if got.shape != expected.shape or np.all(expected == np.round(expected)):
        return False
    fixed = np.trunc(expected), np.floor(expected), np.round(expected)
    return {"dtype": got.dtype} if any(np.array_equal(got, f) for f in fixed) else False


# --- values that are not finite -----------------------------------------------------------------


@mistake(
    "log(0) in the cross-entropy",
    "bce",
    "Your {name} is not a finite number, and some probabilities in p are exactly 0 or 1. What is "
    "log(0)? Which values should p be kept between before you take the logarithms?",
)
def log_of_zero(case: Case) -> Any:
    got, p = number_array(case.got), case.inputs.get("p")
    if got is None or p is None or np.all(np.isfinite(got)):
        return False
    p = np.asarray(p, dtype=float)
    return bool(np.any((p == 0) | (p == 1)))


@mistake(
    "sigmoid overflowed",
    "sigmoid predict_proba",
    "Your {name} contains nan or inf where z is large in magnitude. What do exp(1000) and "
    "exp(-1000) give? Which of 1 / (1 + exp(-z)) and exp(z) / (1 + exp(z)) is safe for z > 0, "
    "and which for z < 0?",
)
def sigmoid_overflow(case: Case) -> Any:
    got = number_array(case.got)
    return got is not None and not np.all(np.isfinite(got))


@mistake(
    "the descent diverged",
    GD,
    "Your {name} contains inf or nan: the descent blew up instead of settling. Does each step go "
    "downhill (against the gradient), and is the gradient the size the notes give: the factor "
    "in front, the mean over the batch? With a small eta, does the loss go down after the first "
    "update?",
)
def diverged(case: Case) -> Any:
    got, expected = number_array(case.got), number_array(case.expected)
    if got is None or expected is None:
        return False
    return not np.all(np.isfinite(got)) and bool(np.all(np.isfinite(expected)))


# --- arguments changed in place -----------------------------------------------------------------


@mistake(
    "the caller's array was modified in place",
    EVERYTHING,
    "Your function changed the caller's `{arg}` in place, so the caller's array is no longer "
    "what it passed in. Which line writes into an array you were given (an augmented assignment "
    "such as -=, or an assignment to a slice)? How can that line build a new array instead?",
)
def modified_in_place(case: Case) -> Any:
    names = [str(m) for m in case.mutated if str(m) != "rng"]
    return {"arg": "` and `".join(names)} if names else False


@mistake(
    "results do not depend on rng",
    "lr_gradient_descent sgd",
    "Called twice with the same rng, your function returned two different results, so its "
    "shuffling does not come from rng. Do you draw every permutation from the generator that "
    "numpy.random.default_rng(rng) gives you, or from NumPy's global random functions such as "
    "np.random.shuffle or np.random.permutation?",
)
def not_reproducible(case: Case) -> Any:
    if case.inputs.get("rng") is None:
        return False
    again = case.again()
    if again is None:
        return False
    a, b = number_array(case.got), number_array(again)
    return a is not None and b is not None and not (a.shape == b.shape and np.array_equal(a, b))


# --- gradients ----------------------------------------------------------------------------------


@mistake(
    "factor 2 carried over to the cross-entropy",
    "logistic_gradients",
    "Your {name} is exactly twice the expected value. The factor 2 in the gradients of the "
    "squared loss came from differentiating a square. Differentiate the cross-entropy of one "
    "observation with respect to z = x w + b: is there a square anywhere to bring down a 2?",
)
def logistic_factor_two(case: Case) -> Any:
    return times(case, 2.0)


@mistake(
    "gradient twice too large",
    "gradients",
    "Your {name} is exactly twice the expected value. Where does the factor in front of "
    "(y_hat - y) come from in Step 2 of the notes, and is it applied only once? Is the mean over "
    "the batch already accounted for?",
)
def gradient_doubled(case: Case) -> Any:
    return times(case, 2.0)


@mistake(
    "factor 2 missing",
    "gradients",
    "Your {name} is exactly half the expected value. When you differentiate (y_hat - y)^2 with "
    "respect to y_hat, which factor comes down in front?",
)
def gradient_halved(case: Case) -> Any:
    return times(case, 0.5)


@mistake(
    "sign of the gradient reversed",
    "gradients logistic_gradients",
    "Your {name} is exactly the negative of the expected value. In which order do you subtract "
    "in the residual: prediction minus target, or target minus prediction? Which one does the "
    "derivative of the loss give?",
)
def gradient_sign(case: Case) -> Any:
    return times(case, -1.0)


@mistake(
    "sum instead of mean",
    "gradients logistic_gradients mse bce",
    "Your {name} is exactly {n} times the expected value, and {n} is the number of "
    "observations. The loss is a mean over the batch: is your sum divided by N?",
)
def not_averaged(case: Case) -> Any:
    for key in ("X", "y_pred", "p"):
        if case.inputs.get(key) is not None:
            n = len(np.asarray(case.inputs[key]))
            return {"n": n} if n > 1 and times(case, n) else False
    return False


@mistake(
    "divided by the number of features",
    "gradients logistic_gradients",
    "Your {name} is exactly {ratio} times the expected value: n / p, the number of observations "
    "over the number of features. N in the formulas counts the rows of the batch: which "
    "dimension of X does your code divide by?",
)
def divided_by_features(case: Case) -> Any:
    X = case.inputs.get("X")
    if X is None or np.ndim(X) != 2:
        return False
    n, p = np.shape(X)
    return {"ratio": f"{n}/{p}"} if n != p and times(case, n / p) else False


# --- one step -----------------------------------------------------------------------------------


@mistake(
    "update goes uphill",
    "update sgd_step",
    "Your {name} moved by exactly the expected step, but in the opposite direction: uphill. The "
    "gradient points in the direction in which the loss grows. To go downhill, do you add or "
    "subtract eta times the gradient?",
)
def update_sign(case: Case) -> Any:
    return step_is(case, -1.0)


@mistake(
    "b never changes",
    f"update sgd_step {GD}",
    "Your b is exactly the starting value: it never changed. Is there an update line for b next "
    "to the one for w, and is its result the b you return?",
)
def b_frozen(case: Case) -> Any:
    return case.part == "b" and step_is(case, 0.0)


@mistake(
    "w never changes",
    f"update sgd_step {GD}",
    "Your w is exactly the starting value: no update reached it. Is the updated w stored in the "
    "variable you return, and does your loop run at all?",
)
def w_frozen(case: Case) -> Any:
    return case.part == "w" and step_is(case, 0.0)


@mistake(
    "eta left out",
    "update",
    "Your {name} moved by the whole gradient, as if eta were 1. Where does the learning rate eta "
    "go in the update of Step 5?",
)
def eta_missing(case: Case) -> Any:
    eta = case.inputs.get("eta")
    return eta not in (None, 0, 1) and step_is(case, 1.0 / float(eta))


@mistake(
    "factor 2 missing in the step",
    "sgd_step",
    "Your {name} moved exactly half the expected step. With a batch of one, N = 1: which factor "
    "stays in front of x^T (y_hat - y) in the gradient of the squared error?",
)
def sgd_step_halved(case: Case) -> Any:
    return step_is(case, 0.5)


@mistake(
    "step twice too long",
    "sgd_step",
    "Your {name} moved exactly twice the expected step. Is the factor 2 of the gradient applied "
    "once only, and is eta applied once only?",
)
def sgd_step_doubled(case: Case) -> Any:
    return step_is(case, 2.0)


# --- one whole descent, where a relation still shows the mistake ------------------------------


def one_full_step(case: Case) -> bool:
    """The call makes exactly one update: one epoch of one batch on the whole data, or a `tol` so
    large that the second check stops the run (the first compares with inf)."""
    max_iter = int(case.inputs.get("max_iter") or 0)
    if max_iter >= 1 and float(case.inputs.get("tol") or 0) >= ONE_UPDATE_TOL:
        return True
    if case.function == "sgd" or max_iter != 1:
        return False
    if case.function == "lr_gradient_descent":
        n = len(np.asarray(case.inputs["X"]))
        return int(case.inputs.get("batch_size") or 0) >= n
    return case.function == "logistic_gradient_descent"


#: A `tol` no change of the loss can reach: the run stops at its second check.
ONE_UPDATE_TOL = 1e9


@mistake(
    "wrong default start",
    GD,
    "With max_iter=0 a descent returns where it starts, and yours starts from w filled with "
    "{value:g} when no w is given. What starting w does the docstring give for this function "
    "when the caller passes none?",
)
def default_start(case: Case) -> Any:
    if case.part != "w" or case.inputs.get("w") is not None:
        return False
    if int(case.inputs.get("max_iter") or 0) != 0:
        return False
    got = number_array(case.got)
    if got is None or got.size == 0 or not np.all(got == got.flat[0]):
        return False
    return {"value": float(got.flat[0])} if not close(got, case.expected) else False


@mistake(
    "factor 2 carried over to the cross-entropy",
    "logistic_gradient_descent",
    "After one step, your {name} moved exactly twice the expected step: your descent's "
    "gradients are twice those of the cross-entropy. The factor 2 belonged to the "
    "squared loss, where it came from differentiating a square: does the cross-entropy have a "
    "square to bring down a 2?",
)
def logistic_step_doubled(case: Case) -> Any:
    return one_full_step(case) and step_is(case, 2.0)


@mistake(
    "gradient twice too large",
    "lr_gradient_descent sgd",
    "After one step, your {name} moved exactly twice the expected step: your "
    "descent's gradients are twice those of the notes. Where does the factor in front of "
    "(y_hat - y) come from, and is it applied only once?",
)
def descent_step_doubled(case: Case) -> Any:
    return one_full_step(case) and step_is(case, 2.0)


@mistake(
    "factor 2 missing",
    "lr_gradient_descent sgd",
    "After one step, your {name} moved exactly half the expected step: your "
    "descent's gradients are half those of the notes. When you differentiate (y_hat - y)^2 with "
    "respect to y_hat, which factor comes down in front?",
)
def descent_step_halved(case: Case) -> Any:
    return one_full_step(case) and step_is(case, 0.5)


@mistake(
    "update goes uphill",
    GD,
    "After one step, your {name} moved exactly the expected step, but in the "
    "opposite direction: your descent climbs uphill. Is the residual prediction minus target, "
    "as in the derivative of the loss, and do you subtract eta times the gradient?",
)
def descent_uphill(case: Case) -> Any:
    return one_full_step(case) and step_is(case, -1.0)


# --- predictions, losses, probabilities, labels -------------------------------------------------


@mistake(
    "b left out of the prediction",
    "batch_gradient.predict predict_proba",
    "Your {name} is what the model gives without b. Where does the bias b enter the prediction "
    "x_i w + b?",
)
def prediction_without_b(case: Case) -> Any:
    if not case.has("X", "w", "b") or float(case.inputs["b"]) == 0:
        return False
    z = np.asarray(case.inputs["X"], float) @ column(case.inputs["w"])
    return close(case.got, z if case.function == "predict" else _sigmoid(z))


@mistake(
    "root mean squared error",
    "mse",
    "Your loss is exactly the square root of the expected one. The notes' loss is the mean of "
    "the squared differences: is there a square root left that does not belong?",
)
def rmse(case: Case) -> Any:
    expected = number_array(case.expected)
    return expected is not None and nonzero(expected - 1) and close(case.got, np.sqrt(expected))


@mistake(
    "negative cross-entropy",
    "bce",
    "Your loss is exactly the negative of the expected value. The logarithm of a probability is "
    "never positive, so y log p + (1 - y) log(1 - p) is at most 0: which sign makes the loss a "
    "positive number?",
)
def bce_sign(case: Case) -> Any:
    return times(case, -1.0)


@mistake(
    "sigmoid(-z) instead of sigmoid(z)",
    "sigmoid predict_proba",
    "Your {name} is exactly 1 - sigmoid(z), the sigmoid of -z. Check the sign inside the "
    "exponential: which one makes sigmoid(z) go to 1 when z is large and positive?",
)
def sigmoid_flipped(case: Case) -> Any:
    expected = number_array(case.expected)
    return expected is not None and nonzero(expected - 0.5) and close(case.got, 1.0 - expected)


def _labels_of(case: Case, *, with_b: bool = True, threshold: float | None = None) -> Any:
    """Labels computed from the inputs (a wrong formula when asked), shaped like `expected`."""
    X, w, b = case.inputs["X"], case.inputs["w"], float(case.inputs["b"]) if with_b else 0.0
    t = float(case.inputs.get("threshold", 0.5)) if threshold is None else threshold
    p = _sigmoid(np.asarray(X, float) @ column(w) + b)
    at = np.isclose(p, t, rtol=0, atol=1e-12)  # "exactly the threshold", up to rounding
    strict = ((p > t) & ~at).astype(float).reshape(np.shape(case.expected))
    return strict, ((p >= t) | at).astype(float).reshape(np.shape(case.expected))


def _label_case(case: Case) -> tuple[np.ndarray, np.ndarray] | None:
    got, expected = number_array(case.got), number_array(case.expected)
    if not case.has("X", "w", "b") or got is None or expected is None:
        return None
    return (got, expected) if got.shape == expected.shape else None


@mistake(
    "b left out of the prediction",
    "logistic_regression.predict",
    "Your labels are the ones the model gives without b. Where does the bias b enter the "
    "probability sigmoid(x w + b)?",
)
def labels_without_b(case: Case) -> Any:
    pair = _label_case(case)
    if pair is None or float(case.inputs["b"]) == 0:
        return False
    got = pair[0]
    strict = _labels_of(case)[0]
    return np.array_equal(got, _labels_of(case, with_b=False)[1]) and not np.array_equal(
        got, strict
    )


@mistake(
    "threshold ignored",
    "logistic_regression.predict",
    "Your labels are the ones a threshold of 0.5 gives, but this call asked for threshold = "
    "{threshold:g}. Does your comparison use the threshold argument?",
)
def threshold_ignored(case: Case) -> Any:
    pair = _label_case(case)
    threshold = float(case.inputs.get("threshold", 0.5))
    if pair is None or threshold == 0.5:
        return False
    half = _labels_of(case, threshold=0.5)[1]
    return {"threshold": threshold} if np.array_equal(pair[0], half) else False


@mistake(
    "> instead of >= at the threshold",
    "logistic_regression.predict",
    "Your labels differ only for the observations whose probability is exactly the threshold "
    "{threshold:g}, where yours are 0. Which class does the contract give to a probability that "
    "equals the threshold: is your comparison strict?{also}",
)
def strict_threshold(case: Case) -> Any:
    pair = _label_case(case)
    if pair is None:
        return False
    got, expected = pair
    strict = _labels_of(case)[0]
    if not np.array_equal(got, strict) or np.array_equal(got, expected):
        return False
    also = ""
    if float(case.inputs["b"]) != 0 and np.array_equal(got, _labels_of(case, with_b=False)[1]):
        also = " If it is not, check that your probabilities include b: without b, these "
        also += "inputs give the same labels."
    return {"threshold": float(case.inputs.get("threshold", 0.5)), "also": also}


@mistake(
    "labels swapped",
    "logistic_regression.predict",
    "Every one of your labels is the opposite of the expected one. Which class should an "
    "observation get when its probability is high?",
)
def labels_swapped(case: Case) -> Any:
    got, expected = number_array(case.got), number_array(case.expected)
    return got is not None and expected is not None and got.shape == expected.shape \
        and bool(np.all(got == 1 - expected))  # fmt: skip


MISTAKES: list[Mistake] = [
    broadcast_shape, not_a_scalar, flat_not_column, row_not_column, other_shape,
    labels_dtype, booleans, truncated,
    log_of_zero, sigmoid_overflow, diverged,
    modified_in_place, not_reproducible,
    broadcast_value, logistic_factor_two, gradient_doubled, gradient_halved, gradient_sign,
    not_averaged,
    update_sign, b_frozen, w_frozen, eta_missing, sgd_step_halved, sgd_step_doubled,
    default_start, logistic_step_doubled, descent_step_doubled, descent_step_halved,
    descent_uphill,
    divided_by_features, prediction_without_b, rmse, bce_sign, sigmoid_flipped,
    labels_without_b, threshold_ignored, strict_threshold, labels_swapped,
]  # fmt: skip


# --- exceptions raised by the student's code ----------------------------------------------------

_SIGMOID_USERS = {"sigmoid", "predict_proba", "logistic_gradients", "logistic_gradient_descent",
                  "logistic_regression.predict", "bce"}  # fmt: skip

#: (pattern in the exception text, functions or None for all, message). First match wins.
ERRORS: list[tuple[str, set[str] | None, str]] = [
    (
        r"NotImplementedError",
        None,
        "This function still raises NotImplementedError: replace the `raise "
        "NotImplementedError` line with your code.",
    ),
    (
        r"overflow encountered in exp",
        {"sigmoid"},
        'Your sigmoid overflowed: NumPy warned "overflow encountered in exp" (warnings count '
        "as errors here). For which sign of z does exp(-z) become enormous? 1 / (1 + exp(-z)) "
        "and exp(z) / (1 + exp(z)) are the same number: which one is safe for z > 0, and which "
        "for z < 0?",
    ),
    (
        r"overflow encountered in exp",
        _SIGMOID_USERS,
        'An exponential overflowed (NumPy warned "overflow encountered in exp"; warnings '
        "count as errors here). Do you compute the probabilities with your own sigmoid, and is "
        "that sigmoid safe for large |z|, such as z = -1000?",
    ),
    (
        r"divide by zero encountered in log|invalid value encountered in (multiply|log)",
        {"bce", "logistic_gradient_descent"},
        "A logarithm received 0 (NumPy warned about it; warnings count as errors here). What is "
        "log(0)? Which values should p be kept between before you take log(p) and log(1 - p)?",
    ),
    (
        r"overflow encountered|invalid value encountered",
        {"lr_gradient_descent", "sgd", "logistic_gradient_descent", "update", "sgd_step"},
        "The numbers grew until they overflowed (NumPy warned about it; warnings count as errors "
        "here): the descent diverged. Does each step go downhill, against the gradient, and is "
        "the gradient the size the notes give: the factor in front, the mean over the batch?",
    ),
    (
        r"did not return within",
        {"lr_gradient_descent", "sgd", "logistic_gradient_descent"},
        "A descent runs at most max_iter epochs, and each epoch walks through the batches once. "
        "Does every loop of yours advance (a while loop whose index never grows never ends), "
        "and does the run stop after max_iter epochs even when the loss never settles?",
    ),
    (
        r"Cannot cast ufunc '\w+' output from dtype\('float64'\) to dtype\('int\d+'\)",
        None,
        "NumPy refused to write float results into an integer array in place. The notes start "
        "from w = np.array([[1], [1]]), which holds integers: which line updates an array in "
        "place (such as -=)? Building a new array instead also keeps the caller's array intact.",
    ),
    (
        r"raised PermissionError",
        None,
        "The grader runs your code where it may read and write files in its own folder only, "
        "and may not change a file's permissions, reach the network or touch other programs. "
        "Does this function need a file or a connection at all? Everything it needs comes in "
        "its arguments.",
    ),
    (
        r"operands could not be broadcast together with shapes",
        {"lr_gradient_descent", "sgd", "logistic_gradient_descent"},
        "NumPy could not combine two arrays of incompatible shapes. Did y arrive as a flat (n,) "
        "array? An (n, 1) column minus an (n,) array silently broadcasts to an (n, n) matrix, "
        "and the shapes of w and of the predictions go wrong from there. Print the shapes of "
        "y_hat, y and w in the first batch: are they (N, 1), (N, 1) and (p, 1)?",
    ),
    (
        r"operands could not be broadcast together with shapes",
        None,
        "NumPy could not combine two arrays of incompatible shapes. Print the shapes of the "
        "arrays on the line of the traceback: which one is not what the contract says (X is "
        "(n, p), w is (p, 1), predictions are (n, 1))?",
    ),
    (
        r"matmul: Input operand \d+ has a mismatch in its core dimension",
        None,
        "A matrix product received shapes that do not fit. For A @ B, the number of columns of "
        "A must equal the number of rows of B: print both shapes on the line of the traceback. "
        "Is a transpose missing or in the wrong place?",
    ),
]


def explain_exception(function: str, text: str) -> str | None:
    """The message of the first `ERRORS` row whose pattern is in `text` and covers `function`."""
    short = function.rsplit(".", 1)[-1]
    for pattern, functions, message in ERRORS:
        if functions is not None and function not in functions and short not in functions:
            continue
        if re.search(pattern, text):
            return message
    return None
