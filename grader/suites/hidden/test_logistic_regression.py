"""Hidden suite, exercise 3: batch gradient descent for logistic regression."""

from __future__ import annotations

import numpy as np
import pytest

from grader.datasets import toy_classification
from grader.suites import checks
from grader.suites.hidden.inputs import classification, logistic

grades = pytest.mark.grades

SIZES = [
    pytest.param(7, 3, 1, id="n=7, p=3"),
    pytest.param(6, 1, 2, id="n=6, p=1"),
    pytest.param(1, 2, 3, id="n=1, p=2"),
]


# --- sigmoid ------------------------------------------------------------------------------------


@grades("sigmoid")
def test_sigmoid_of_zero(agree):
    """sigmoid: sigmoid(0.0) is 0.5"""
    agree("sigmoid", 0.0, about="at z = 0.0")


@grades("sigmoid")
@pytest.mark.parametrize("shape", [(6, 1), (5,), (2, 3)], ids=["(n, 1)", "(n,)", "(2, 3)"])
def test_sigmoid_elementwise(agree, shape):
    """sigmoid: elementwise on arrays, the result has the shape of z"""
    z = np.random.default_rng(70).uniform(-8.0, 8.0, size=shape)
    agree("sigmoid", z, about=f"on an array of shape {shape}")


@grades("sigmoid")
def test_sigmoid_integer_input(agree):
    """sigmoid: an integer array is accepted"""
    agree("sigmoid", np.arange(-3, 4).reshape(-1, 1), about="on the integers -3..3")


@grades("sigmoid")
def test_sigmoid_numpy_scalar(agree):
    """sigmoid: a NumPy scalar z gives a number"""
    agree("sigmoid", np.float64(-1.5), about="at z = np.float64(-1.5)")


@grades("sigmoid")
@pytest.mark.parametrize("z", [-1000.0, 1000.0], ids=["-1000", "+1000"])
def test_sigmoid_extreme(agree, z):
    """sigmoid: finite and without overflow warnings at z = ±1000"""
    agree("sigmoid", np.array([[z]]), about=f"at z = [[{z:g}]]")


@grades("sigmoid")
def test_sigmoid_extreme_array(agree):
    """sigmoid: no overflow anywhere on an array mixing large negative and positive z"""
    z = np.array([[-1000.0], [-745.0], [-40.0], [0.0], [40.0], [745.0], [1000.0]])
    agree("sigmoid", z, about="on z from -1000 to 1000")


# --- predict_proba ------------------------------------------------------------------------------


@grades("predict_proba")
@pytest.mark.parametrize(("n", "p", "seed"), SIZES)
def test_predict_proba_values(agree, n, p, seed):
    """predict_proba: probabilities of shape (n, 1) on random inputs of several sizes"""
    X, _, w, b = logistic(n, p, seed)
    agree("predict_proba", X, w, b, about=f"on {n} observation(s) with {p} feature(s)")


@grades("predict_proba")
def test_predict_proba_integer_inputs(agree):
    """predict_proba: integer X, w and b are accepted"""
    X = np.array([[1, 2], [0, -1], [3, 1]])
    agree("predict_proba", X, np.array([[1], [-1]]), 0, about="on integer X, w and b")


# --- bce ----------------------------------------------------------------------------------------


def _probabilities(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.05, 0.95, size=(n, 1)), rng.integers(0, 2, size=(n, 1))


@grades("bce")
@pytest.mark.parametrize("n", [8, 1], ids=["n=8", "n=1"])
def test_bce_values(agree, n):
    """bce: the mean cross-entropy of columns p (n, 1) and y (n, 1) of 0/1"""
    p, y = _probabilities(n, 80 + n)
    agree("bce", p, y, about=f"on {n} probabilities")


@grades("bce")
@pytest.mark.parametrize("n", [6, 11], ids=["n=6", "n=11"])
def test_bce_flat_labels(agree, n):
    """bce: y of shape (n,) gives the same loss as y of shape (n, 1)"""
    p, y = _probabilities(n, 83 + n)
    agree("bce", p, y.ravel(), about=f"with p of shape {p.shape} and y of shape {(n,)}")


#: At p = 0 or 1 the loss depends on how 1 - eps rounds (clipping p or 1 - p are both correct):
#: log(1 - (1 - 1e-12)) and log(1e-12) differ by 1e-4 relative. What these tests catch is log(0).
CLIPPED = (1e-4, 1e-9)


@grades("bce")
def test_bce_certain_and_right(agree):
    """bce: finite when p is exactly 0 or 1 and the labels agree"""
    p, y = np.array([[0.0], [1.0], [1.0]]), np.array([[0], [1], [1]])
    agree("bce", p, y, about="at p = 0 and 1", tolerance=CLIPPED)


@grades("bce")
def test_bce_certain_and_wrong(agree):
    """bce: finite (the clipped value) when p is exactly 0 or 1 and the labels disagree"""
    p, y = np.array([[0.0], [1.0], [0.5]]), np.array([[1], [0], [1]])
    agree("bce", p, y, about="at p = 0 and 1 with the opposite labels", tolerance=CLIPPED)


@grades("bce")
def test_bce_custom_eps(agree):
    """bce: the eps argument sets the clipping"""
    p, y = np.array([[0.0], [0.3], [1.0]]), np.array([[1], [0], [1]])
    agree("bce", p, y, eps=1e-3, about="with eps=1e-3", tolerance=CLIPPED)


# --- logistic_gradients -------------------------------------------------------------------------


@grades("logistic_gradients")
@pytest.mark.parametrize(("n", "p", "seed"), SIZES)
def test_logistic_gradients_values(agree, n, p, seed):
    """logistic_gradients: dw (p, 1) and db on random batches of several sizes"""
    X, y, w, b = logistic(n, p, seed)
    agree("logistic_gradients", X, y, w, b, about=f"on {n} observation(s) with {p} feature(s)")


@grades("logistic_gradients")
def test_logistic_gradients_flat_y(agree):
    """logistic_gradients: y of shape (n,) gives the same gradients as (n, 1)"""
    X, y, w, b = logistic(8, 2, 4)
    agree("logistic_gradients", X, y.ravel(), w, b, about="with y of shape (n,)")


@grades("logistic_gradients")
def test_logistic_gradients_integer_inputs(agree):
    """logistic_gradients: integer X, y, w and b are accepted"""
    X = np.array([[1, 2], [-1, 0], [2, -1], [0, 1]])
    y = np.array([[1], [0], [1], [0]])
    agree("logistic_gradients", X, y, np.array([[1], [-1]]), 1, about="on integer inputs")


@grades("logistic_gradients")
def test_logistic_gradients_at_zero(agree):
    """logistic_gradients: from w = 0, b = 0 on the toy classification set"""
    X, y = toy_classification()
    agree("logistic_gradients", X, y, np.zeros((2, 1)), 0.0, about="at w = 0, b = 0")


# --- logistic_gradient_descent ------------------------------------------------------------------


@grades("logistic_gradient_descent")
@pytest.mark.parametrize(
    ("n", "p", "eta"),
    [pytest.param(20, 2, 0.1, id="n=20, p=2"), pytest.param(15, 1, 0.5, id="n=15, p=1")],
)
def test_logistic_descent_matches_reference(agree, n, p, eta):
    """logistic_gradient_descent: 30 iterations on random data, as the reference"""
    X, y = classification(n, p, seed=90 + n)
    agree(
        "logistic_gradient_descent",
        X,
        y,
        eta=eta,
        max_iter=30,
        about=f"on {n} observations with {p} feature(s), eta={eta} and max_iter=30",
    )


@grades("logistic_gradient_descent")
def test_logistic_descent_flat_y(agree):
    """logistic_gradient_descent: y of shape (n,) gives the same result as (n, 1)"""
    X, y = classification(12, 2, seed=93)
    agree("logistic_gradient_descent", X, y.ravel(), max_iter=10, about="with y of shape (n,)")


@grades("logistic_gradient_descent")
def test_logistic_descent_integer_inputs(agree):
    """logistic_gradient_descent: integer X, y, w and b are accepted"""
    X = np.array([[1, 2], [-1, 0], [2, -1], [0, 1], [-2, -1]])
    y = np.array([[1], [0], [1], [1], [0]])
    agree(
        "logistic_gradient_descent",
        X,
        y,
        w=np.array([[1], [0]]),
        b=0,
        max_iter=10,
        about="on integer X, y, w and b",
    )


@grades("logistic_gradient_descent")
def test_logistic_descent_given_start(agree):
    """logistic_gradient_descent: starts from the given w and b, leaving the caller's w alone"""
    X, y = classification(10, 2, seed=94)
    w = np.array([[0.5], [-0.5]])
    agree("logistic_gradient_descent", X, y, w=w, b=0.25, max_iter=10, about="from a given w, b")


@grades("logistic_gradient_descent")
def test_logistic_descent_default_start(agree):
    """logistic_gradient_descent: with max_iter=0 it returns the default start, w zeros, b = 0"""
    X, y = classification(6, 3, seed=95)
    agree("logistic_gradient_descent", X, y, max_iter=0, about="with max_iter=0 and no w or b")


@grades("logistic_gradient_descent")
def test_logistic_descent_no_iterations(agree):
    """logistic_gradient_descent: with max_iter=0 it returns the given w and b unchanged"""
    X, y = classification(6, 2, seed=96)
    w = np.array([[1.5], [-0.25]])
    agree("logistic_gradient_descent", X, y, w=w, b=-0.5, max_iter=0, about="with max_iter=0")


@grades("logistic_gradient_descent")
def test_logistic_descent_huge_tol_one_update(agree):
    """logistic_gradient_descent: with a huge tol it makes exactly one update, then stops"""
    X, y = classification(10, 2, seed=97)
    agree("logistic_gradient_descent", X, y, eta=0.5, tol=1e12, about="with tol=1e12")


@grades("logistic_gradient_descent")
@pytest.mark.parametrize("tol", [3e-3, 1e-4], ids=["tol=3e-3", "tol=1e-4"])
def test_logistic_descent_stops_mid_run(agree, tol):
    """logistic_gradient_descent: with a moderate tol it stops where the reference stops"""
    X, y = classification(10, 2, seed=98)
    agree("logistic_gradient_descent", X, y, eta=0.5, tol=tol, about=f"with tol={tol:g}")


@grades("logistic_gradient_descent")
def test_logistic_descent_toy_set(agree):
    """logistic_gradient_descent: eta=0.8 on the toy set, until the default tol stops it"""
    # It stops after 327 iterations: more than 100, so the default max_iter=1000 matters.
    X, y = toy_classification()
    agree("logistic_gradient_descent", X, y, eta=0.8, about="on the toy set with eta=0.8")


# --- predict ------------------------------------------------------------------------------------


@grades("predict")
def test_predict_exactly_at_threshold(agree):
    """predict: a probability exactly equal to the threshold is labelled 1"""
    # Rows 1 and 3 have X @ w + b == 0 exactly, so their probability is exactly 0.5.
    X = np.array([[0.25, 1.0], [2.0, 0.5], [1.0, 2.5], [-1.0, 1.0]])
    agree("predict", X, np.array([[2.0], [-1.0]]), 0.5, about="where some probabilities are 0.5")


@grades("predict")
@pytest.mark.parametrize("threshold", [0.5, 0.3, 0.8], ids=["0.5", "0.3", "0.8"])
def test_predict_labels(agree, threshold):
    """predict: 0/1 labels of shape (n, 1) for several thresholds"""
    X, _, w, b = logistic(12, 2, 5)
    agree("predict", X, w, b, threshold=threshold, about=f"with threshold={threshold}")


@grades("predict")
def test_predict_integer_dtype(student):
    """predict: the labels are an integer array (not bool, not float)"""
    X, _, w, b = logistic(5, 2, 6)
    got = student.logistic_regression.predict(X, w, b)
    checks.integer_labels(got, checks.Context("predict", about="on 5 observations"))
