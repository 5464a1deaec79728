"""CONTRACT §1, exercise 3: the reference logistic regression follows it to the letter."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
import pytest

import solutions.logistic_regression as lr
from grader.datasets import make_classification, toy_classification


def assert_w_b(w, b, p):
    """`w` a float array (p, 1), `b` a real scalar (Python or NumPy)."""
    assert isinstance(w, np.ndarray) and np.issubdtype(w.dtype, np.floating), type(w)
    assert w.shape == (p, 1), w.shape
    assert isinstance(b, numbers.Real) and not isinstance(b, bool), type(b)
    assert np.ndim(b) == 0


def parts(result):
    """The pieces of a result: the items of a `(w, b)` pair, or the one value."""
    return list(result) if isinstance(result, tuple) else [result]


def loss(X, y, w, b):
    return lr.bce(lr.predict_proba(X, w, b), y)


# -- sigmoid, bce, predict: numerically safe, exact at the edges ---------------------------------


def test_sigmoid_is_finite_and_silent_at_plus_and_minus_1000():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = lr.sigmoid(np.array([-1000.0, -745.0, -1.0, 0.0, 1.0, 745.0, 1000.0]))
        scalars = lr.sigmoid(-1000.0), lr.sigmoid(1000)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(scalars))
    assert values[0] == pytest.approx(0.0, abs=1e-300) and values[-1] == 1.0
    assert values[3] == 0.5


def test_sigmoid_is_the_logistic_function_elementwise():
    z = np.linspace(-30, 30, 121).reshape(11, 11)
    with np.errstate(over="ignore"):
        literal = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(lr.sigmoid(z), literal, rtol=1e-14, atol=0)
    np.testing.assert_allclose(lr.sigmoid(-z), 1 - lr.sigmoid(z), rtol=0, atol=1e-15)
    assert lr.sigmoid(z).shape == (11, 11)
    assert np.ndim(lr.sigmoid(2)) == 0 and lr.sigmoid(2) == pytest.approx(1 / (1 + math.exp(-2)))


def test_bce_is_finite_and_silent_at_probabilities_0_and_1():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wrong = lr.bce(np.array([0.0, 1.0]), np.array([1, 0]))
        right = lr.bce(np.array([[0.0], [1.0]]), np.array([[0], [1]]))
    # 1 - (1 - 1e-12) is not exactly 1e-12 in floating point, hence the relative tolerance.
    assert wrong == pytest.approx(-math.log(1e-12), rel=1e-5)
    assert 0.0 <= right < 1e-9


def test_bce_is_the_mean_cross_entropy():
    p, y = np.array([[0.9], [0.2], [0.6]]), np.array([1, 0, 0])
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4)) / 3
    assert lr.bce(p, y) == pytest.approx(expected, rel=1e-12)
    assert lr.bce(p, y.reshape(-1, 1)) == lr.bce(p, y) == lr.bce(p.ravel(), y)
    assert lr.bce(np.array([0.3]), np.array([1]), eps=0.5) == pytest.approx(math.log(2))


def test_predict_proba_is_the_sigmoid_of_the_linear_model():
    X, _ = toy_classification()
    w, b = np.array([[0.5], [-1.5]]), 0.25
    p = lr.predict_proba(X, w, b)
    assert p.shape == (20, 1)
    np.testing.assert_allclose(p, lr.sigmoid(X @ w + b), rtol=1e-15)


def test_predict_gives_1_at_exactly_the_threshold_as_integers():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [-1.0, -1.0], [0.0, 0.0]])
    labels = lr.predict(X, np.array([[1.0], [1.0]]), 0.0)
    assert labels.shape == (4, 1) and np.issubdtype(labels.dtype, np.integer)
    np.testing.assert_array_equal(labels, [[1], [1], [0], [1]])
    threshold = float(lr.predict_proba(X, np.array([[1.0], [1.0]]), 0.0)[1, 0])
    np.testing.assert_array_equal(
        lr.predict(X, np.array([[1.0], [1.0]]), 0.0, threshold=threshold), [[0], [1], [0], [0]]
    )


# -- the gradient is the derivative of the loss -------------------------------------------------


def test_logistic_gradients_match_central_finite_differences():
    X, y, _, _ = make_classification(n=30, p=3, seed=4)
    w, b, h = np.array([[0.3], [-0.7], [0.2]]), -0.4, 1e-6
    dw, db = lr.logistic_gradients(X, y, w, b)
    for j in range(3):
        step = np.zeros((3, 1))
        step[j] = h
        slope = (loss(X, y, w + step, b) - loss(X, y, w - step, b)) / (2 * h)
        assert dw[j, 0] == pytest.approx(slope, rel=1e-6, abs=1e-9)
    slope = (loss(X, y, w, b + h) - loss(X, y, w, b - h)) / (2 * h)
    assert db == pytest.approx(slope, rel=1e-6, abs=1e-9)


def test_logistic_gradients_at_the_start_of_the_toy_set():
    """Every probability is 0.5 at w = 0, b = 0, so db = 0.5 - (13 ones / 20) = -0.15."""
    X, y = toy_classification()
    dw, db = lr.logistic_gradients(X, y, np.zeros((2, 1)), 0)
    np.testing.assert_allclose(dw, X.T @ (0.5 - y) / 20, rtol=1e-14)
    assert db == pytest.approx(-0.15, rel=1e-12)


# -- full-batch gradient descent ----------------------------------------------------------------


def by_hand(X, y, *, eta, max_iter, tol):
    """The contract's full-batch logistic gradient descent written out plainly: the oracle."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float).reshape(-1, 1)
    w, b = np.zeros((X.shape[1], 1)), 0.0
    previous_loss = np.inf
    for _ in range(max_iter):
        p = np.clip(1 / (1 + np.exp(-(X @ w + b))), 1e-12, 1 - 1e-12)
        current = float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
        if abs(current - previous_loss) < tol:
            break
        previous_loss = current
        w, b = w - eta * X.T @ (p - y) / len(X), b - eta * float(np.mean(p - y))
    return w, b


@pytest.mark.parametrize("tol", [0.0, 1e-8, 1e-4])
def test_logistic_gradient_descent_matches_the_contract_written_out(tol):
    X, y = toy_classification()
    w, b = lr.logistic_gradient_descent(X, y, eta=0.5, max_iter=300, tol=tol)
    expected_w, expected_b = by_hand(X, y, eta=0.5, max_iter=300, tol=tol)
    np.testing.assert_allclose(w, expected_w, rtol=1e-10)
    assert b == pytest.approx(expected_b, rel=1e-10)


def test_a_huge_tolerance_makes_exactly_one_update():
    X, y = toy_classification()
    dw, db = lr.logistic_gradients(X, y, np.zeros((2, 1)), 0.0)
    w, b = lr.logistic_gradient_descent(X, y, eta=0.3, max_iter=100, tol=1e300)
    np.testing.assert_allclose(w, -0.3 * dw, rtol=1e-15)
    assert b == pytest.approx(-0.3 * db, rel=1e-15)


def test_max_iter_zero_returns_the_starting_point():
    X, y = toy_classification()
    w, b = lr.logistic_gradient_descent(X, y, max_iter=0)
    assert_w_b(w, b, 2)
    np.testing.assert_array_equal(w, np.zeros((2, 1)))
    assert b == 0.0 and isinstance(b, float | np.floating), "the default b is 0.0"
    w, b = lr.logistic_gradient_descent(X, y, w=np.array([[1], [-1]]), b=2, max_iter=0)
    assert_w_b(w, b, 2)
    np.testing.assert_array_equal(w, [[1.0], [-1.0]])
    assert b == 2.0


def test_it_is_deterministic():
    X, y = toy_classification()
    first = lr.logistic_gradient_descent(X, y)
    second = lr.logistic_gradient_descent(X, y)
    np.testing.assert_array_equal(first[0], second[0])
    assert first[1] == second[1]


@pytest.mark.parametrize(
    "data",
    [toy_classification(), make_classification(n=200, p=3, seed=1)[:2]],
    ids=["toy", "generated"],
)
def test_the_loss_decreases_at_every_iteration_for_a_small_eta(data):
    """Any eta below 2/L decreases the loss; L = largest eigenvalue of A^T A / (4 N), A = [X 1]."""
    X, y = data
    A = np.hstack([X, np.ones((len(X), 1))])
    eta = 1.0 / (np.linalg.eigvalsh(A.T @ A).max() / (4 * len(X)))
    w, b = np.zeros((X.shape[1], 1)), 0.0
    losses = [loss(X, y, w, b)]
    for _ in range(300):  # one iteration per call, starting where the previous call stopped
        w, b = lr.logistic_gradient_descent(X, y, eta=eta, w=w, b=b, max_iter=1, tol=0.0)
        losses.append(loss(X, y, w, b))
    assert np.all(np.diff(losses) <= 1e-14), "the loss went up (beyond round-off)"
    assert losses[-1] < losses[0] - 0.05


def test_a_too_large_eta_does_not_decrease_the_loss_monotonically():
    """The monotonicity test above can fail: the step size matters."""
    X, y = toy_classification()
    w, b = np.zeros((2, 1)), 0.0
    losses = [loss(X, y, w, b)]
    for _ in range(50):
        w, b = lr.logistic_gradient_descent(X, y, eta=60.0, w=w, b=b, max_iter=1, tol=0.0)
        losses.append(loss(X, y, w, b))
    assert np.any(np.diff(losses) > 0.0)


# -- inputs: never modified, (n,) or (n, 1), integers; returned types ----------------------------


def _calls(X, y, w, b):
    """Every function of exercise 3 that takes arrays, called on the given ones."""
    return {
        "predict_proba": lambda: lr.predict_proba(X, w, b),
        "bce": lambda: lr.bce(lr.sigmoid(X @ w), y),
        "logistic_gradients": lambda: lr.logistic_gradients(X, y, w, b),
        "logistic_gradient_descent": lambda: lr.logistic_gradient_descent(
            X, y, eta=0.5, w=w, b=b, max_iter=20
        ),
        "predict": lambda: lr.predict(X, w, b),
    }


@pytest.mark.parametrize("name", list(_calls(None, None, None, None)))
def test_no_input_is_modified(name):
    X, y = toy_classification()
    y = y.astype(float)
    w = np.array([[0.5], [2.0]])
    before = X.copy(), y.copy(), w.copy()
    _calls(X, y, w, 0.5)[name]()
    for after, saved in zip((X, y, w), before, strict=True):
        np.testing.assert_array_equal(after, saved)


def test_sigmoid_does_not_modify_its_argument():
    z = np.array([-3.0, 0.0, 3.0])
    lr.sigmoid(z)
    np.testing.assert_array_equal(z, [-3.0, 0.0, 3.0])


@pytest.mark.parametrize("name", ["bce", "logistic_gradients", "logistic_gradient_descent"])
def test_flat_and_column_targets_give_identical_results(name):
    X, y = toy_classification()
    w = np.array([[0.5], [2.0]])
    column = _calls(X, y, w, 0.5)[name]()
    flat = _calls(X, y.ravel(), w, 0.5)[name]()
    for a, b in zip(parts(column), parts(flat), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", list(_calls(None, None, None, None)))
def test_integer_inputs_give_the_float_results(name):
    X = np.array([[1, 2], [3, -1], [-1, 1], [0, -2], [2, 2], [-2, 3]])
    y = np.array([[1], [1], [0], [0], [1], [0]])
    w = np.array([[1], [0]])
    with_ints = _calls(X, y, w, 0)[name]()
    with_floats = _calls(X.astype(float), y.astype(float), w.astype(float), 0.0)[name]()
    for a, b in zip(parts(with_ints), parts(with_floats), strict=True):
        np.testing.assert_array_equal(a, b)


def test_returned_types_and_shapes():
    X, y, _, _ = make_classification(n=9, p=3, seed=2)
    w0 = np.full((3, 1), 0.5)
    assert_w_b(*lr.logistic_gradients(X, y, w0, 1.0), 3)
    assert_w_b(*lr.logistic_gradient_descent(X, y, max_iter=5), 3)
    value = lr.bce(lr.predict_proba(X, w0, 1.0), y)
    assert isinstance(value, numbers.Real) and np.ndim(value) == 0
    assert lr.predict_proba(X, w0, 1.0).shape == (9, 1)
