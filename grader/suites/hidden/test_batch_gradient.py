"""Hidden suite, exercise 1: predict, mse, gradients, update and mini-batch gradient descent."""

from __future__ import annotations

import numpy as np
import pytest

from grader.datasets import toy_regression
from grader.suites import checks
from grader.suites.hidden.inputs import linear, regression

grades = pytest.mark.grades

SIZES = [
    pytest.param(7, 3, 1, id="n=7, p=3"),
    pytest.param(5, 1, 2, id="n=5, p=1"),
    pytest.param(1, 4, 3, id="n=1, p=4"),
    pytest.param(40, 2, 4, id="n=40, p=2"),
]


def _ints(n: int, p: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.integers(-3, 4, size=(n, p))
    y = rng.integers(-5, 6, size=(n, 1))
    w = rng.integers(-2, 3, size=(p, 1))
    return X, y, w, int(rng.integers(-2, 3))


# --- predict ------------------------------------------------------------------------------------


@grades("predict")
@pytest.mark.parametrize(("n", "p", "seed"), SIZES)
def test_predict_values(agree, n, p, seed):
    """predict: values and shape (n, 1) on random inputs of several sizes"""
    X, _, w, b = linear(n, p, seed)
    agree("predict", X, w, b, about=f"on {n} observation(s) with {p} feature(s)")


@grades("predict")
def test_predict_integer_inputs(agree):
    """predict: integer X, w and b are accepted"""
    X, _, w, b = _ints(6, 2, 5)
    agree("predict", X, w, b, about="on integer X, w and b")


@grades("predict")
def test_predict_numpy_scalar_bias(agree):
    """predict: b may be a NumPy scalar"""
    X, _, w, b = linear(4, 2, 6)
    agree("predict", X, w, np.float64(-b), about="with b a NumPy float")


# --- mse ----------------------------------------------------------------------------------------


@grades("mse")
@pytest.mark.parametrize(("n", "seed"), [(7, 1), (1, 2)], ids=["n=7", "n=1"])
def test_mse_values(agree, n, seed):
    """mse: value on random columns y_pred (n, 1) and y_true (n, 1)"""
    rng = np.random.default_rng(seed)
    y_pred, y_true = rng.standard_normal((n, 1)), rng.standard_normal((n, 1))
    agree("mse", y_pred, y_true, about=f"on two columns of {n}")


@grades("mse")
@pytest.mark.parametrize(
    ("pred_shape", "true_shape"),
    [((6, 1), (6,)), ((6,), (6,))],
    ids=["(n,1) and (n,)", "(n,) and (n,)"],
)
def test_mse_flat_and_column_inputs(agree, pred_shape, true_shape):
    """mse: y_true of shape (n,) or (n, 1) gives the same loss (flat pairs as in the notes too)"""
    rng = np.random.default_rng(7)
    y_pred, y_true = rng.standard_normal(pred_shape), rng.standard_normal(true_shape)
    agree("mse", y_pred, y_true, about=f"with y_pred {pred_shape} and y_true {true_shape}")


@grades("mse")
def test_mse_integer_inputs(agree):
    """mse: integer predictions and targets are accepted"""
    agree("mse", np.array([[3], [-1], [4]]), np.array([1, 5, 9]), about="on integer arrays")


# --- gradients ----------------------------------------------------------------------------------


@grades("gradients")
@pytest.mark.parametrize(("n", "p", "seed"), SIZES)
def test_gradients_values(agree, n, p, seed):
    """gradients: dw (p, 1) and db on random batches of several sizes"""
    X, y, w, b = linear(n, p, seed)
    agree("gradients", X, y, w, b, about=f"on a batch of {n} with {p} feature(s)")


@grades("gradients")
def test_gradients_flat_y(agree):
    """gradients: y given as (n,) gives the same gradients as y given as (n, 1)"""
    X, y, w, b = linear(6, 2, 11)
    agree("gradients", X, y.ravel(), w, b, about="with y of shape (n,)")


@grades("gradients")
def test_gradients_integer_inputs(agree):
    """gradients: integer X, y, w and b are accepted"""
    X, y, w, b = _ints(5, 3, 12)
    agree("gradients", X, y, w, b, about="on integer X, y, w and b")


@grades("gradients")
def test_gradients_whole_toy_set(agree):
    """gradients: the notes' 12 observations as one batch, from w = [[1], [1]] and b = 0"""
    X, y = toy_regression()
    agree("gradients", X, y, np.array([[1], [1]]), 0, about="on the 12 toy observations")


@grades("gradients")
def test_gradients_numpy_scalar_bias(agree):
    """gradients: b may be a NumPy scalar"""
    X, y, w, b = linear(5, 2, 13)
    agree("gradients", X, y, w, np.float64(b), about="with b a NumPy float")


# --- update -------------------------------------------------------------------------------------


@grades("update")
@pytest.mark.parametrize("p", [3, 1], ids=["p=3", "p=1"])
def test_update_values(agree, p):
    """update: one step from random w, b, dw, db, returned as new objects"""
    rng = np.random.default_rng(20 + p)
    w, dw = rng.standard_normal((p, 1)), rng.standard_normal((p, 1))
    b, db = float(rng.standard_normal()), float(rng.standard_normal())
    agree("update", w, b, dw, db, 0.05, about=f"with p = {p} and eta = 0.05")


@grades("update")
def test_update_integer_start(agree):
    """update: integer w and b (as in the notes) are accepted"""
    agree(
        "update",
        np.array([[1], [1]]),
        0,
        np.array([[-6.0], [-4.0]]),
        -3.5,
        0.1,
        about="from the integer w = [[1], [1]] and b = 0",
    )


@grades("update")
def test_update_numpy_scalars(agree):
    """update: b and db may be NumPy scalars"""
    rng = np.random.default_rng(24)
    w, dw = rng.standard_normal((2, 1)), rng.standard_normal((2, 1))
    agree("update", w, np.float64(0.7), dw, np.float64(-1.3), 0.2, about="with NumPy scalars")


# --- lr_gradient_descent ------------------------------------------------------------------------


def _descent_about(n: int, batch_size: int, note: str = "") -> str:
    text = f"on {n} observations with batch_size={batch_size}"
    return f"{text}, {note}" if note else text


@grades("lr_gradient_descent")
@pytest.mark.parametrize(
    ("n", "p", "batch_size"),
    [
        pytest.param(12, 2, 5, id="remainder 2"),
        pytest.param(10, 3, 4, id="remainder 2, p=3"),
        pytest.param(11, 2, 3, id="remainder 2 of 3"),
        pytest.param(8, 2, 8, id="batch_size = n"),
        pytest.param(9, 2, 32, id="batch_size > n"),
        pytest.param(7, 2, 1, id="batch_size = 1"),
        pytest.param(12, 1, 5, id="p = 1"),
    ],
)
def test_descent_matches_reference(agree, n, p, batch_size):
    """lr_gradient_descent: same seed, same result, for batch sizes with and without remainder"""
    X, y = regression(n, p, seed=n + p)
    eta = 0.05 if batch_size == 1 else 0.1
    agree(
        "lr_gradient_descent",
        X,
        y,
        batch_size=batch_size,
        eta=eta,
        max_iter=4,
        rng=np.random.default_rng(100 + n),
        about=_descent_about(n, batch_size, "a seeded Generator and 4 epochs"),
    )


@grades("lr_gradient_descent")
def test_descent_all_defaults(agree):
    """lr_gradient_descent: the defaults (batch_size=32, eta=0.1, max_iter=100) on 40 rows"""
    X, y = regression(40, 2, seed=42)
    agree("lr_gradient_descent", X, y, rng=42, about="on 40 observations with only rng=42 given")


@grades("lr_gradient_descent")
def test_descent_int_seed(agree):
    """lr_gradient_descent: an int seed as rng gives the reference's result, every time"""
    X, y = regression(12, 2, seed=31)
    agree.twice(
        "lr_gradient_descent",
        X,
        y,
        batch_size=5,
        max_iter=3,
        rng=7,
        about=_descent_about(12, 5, "rng=7 and 3 epochs"),
    )


@grades("lr_gradient_descent")
def test_descent_rng_none(agree):
    """lr_gradient_descent: rng=None (the default) runs and returns w (p, 1) and a scalar b"""
    X, y = regression(10, 3, seed=32)
    agree.shapes("lr_gradient_descent", X, y, batch_size=4, max_iter=2, about="with rng=None")


@grades("lr_gradient_descent")
def test_descent_flat_y(agree):
    """lr_gradient_descent: y of shape (n,) gives the same result as (n, 1)"""
    X, y = regression(10, 2, seed=33)
    agree(
        "lr_gradient_descent",
        X,
        y.ravel(),
        batch_size=4,
        max_iter=3,
        rng=np.random.default_rng(3),
        about=_descent_about(10, 4, "y of shape (n,)"),
    )


@grades("lr_gradient_descent")
def test_descent_integer_inputs(agree):
    """lr_gradient_descent: integer X, y, w and b (as in the notes) are accepted"""
    X, y, _, _ = _ints(9, 2, 34)
    agree(
        "lr_gradient_descent",
        X,
        y,
        batch_size=4,
        eta=0.01,
        w=np.array([[1], [1]]),
        b=0,
        max_iter=3,
        rng=5,
        about=_descent_about(9, 4, "integer X, y, w = [[1], [1]] and b = 0"),
    )


@grades("lr_gradient_descent")
def test_descent_given_start(agree):
    """lr_gradient_descent: starts from the given w and b, and leaves the caller's w unchanged"""
    X, y = regression(10, 3, seed=35)
    w = np.array([[0.5], [-0.25], [2.0]])
    agree(
        "lr_gradient_descent",
        X,
        y,
        batch_size=3,
        w=w,
        b=np.float64(-0.75),
        max_iter=3,
        rng=np.random.default_rng(8),
        about=_descent_about(10, 3, "a given float w and b"),
    )


@grades("lr_gradient_descent")
def test_descent_default_start(agree):
    """lr_gradient_descent: with max_iter=0 it returns the default start, w ones (p, 1), b = 0"""
    X, y = regression(6, 3, seed=36)
    agree("lr_gradient_descent", X, y, max_iter=0, rng=1, about="with max_iter=0 and no w or b")


@grades("lr_gradient_descent")
def test_descent_no_epochs(agree):
    """lr_gradient_descent: with max_iter=0 it returns the given w and b unchanged"""
    X, y = regression(6, 2, seed=37)
    w = np.array([[-0.5], [0.75]])
    agree("lr_gradient_descent", X, y, w=w, b=0.25, max_iter=0, about="with max_iter=0")


@grades("lr_gradient_descent")
def test_descent_huge_tol_one_update(agree):
    """lr_gradient_descent: with a huge tol it makes exactly one update, then stops"""
    X, y = regression(12, 2, seed=38)
    agree(
        "lr_gradient_descent",
        X,
        y,
        batch_size=4,
        tol=1e12,
        rng=np.random.default_rng(9),
        about=_descent_about(12, 4, "tol=1e12"),
    )


@grades("lr_gradient_descent")
def test_descent_stops_mid_run(agree):
    """lr_gradient_descent: with a moderate tol it stops at the same batch as the reference"""
    X, y = regression(12, 2, seed=39)
    agree(
        "lr_gradient_descent",
        X,
        y,
        batch_size=5,
        tol=0.05,
        rng=np.random.default_rng(10),
        about=_descent_about(12, 5, "tol=0.05"),
    )


@grades("lr_gradient_descent")
def test_descent_stops_on_the_toy_data(agree):
    """lr_gradient_descent: the notes' run with the default tol stops where the reference stops"""
    X, y = toy_regression()
    agree(
        "lr_gradient_descent",
        X,
        y,
        batch_size=3,
        max_iter=1000,
        rng=3,
        about=_descent_about(12, 3, "the toy data, max_iter=1000 and rng=3"),
    )


@grades("lr_gradient_descent")
def test_descent_notes_example(agree):
    """lr_gradient_descent: the notes' example (batch_size=3, eta=0.1) for 20 epochs, seed 0"""
    X, y = toy_regression()
    agree(
        "lr_gradient_descent",
        X,
        y,
        batch_size=3,
        max_iter=20,
        rng=0,
        about=_descent_about(12, 3, "the toy data, rng=0 and 20 epochs"),
    )


@grades("lr_gradient_descent")
def test_descent_converges_on_toy_data(student):
    """lr_gradient_descent: the notes' run (batch_size=3, 1000 epochs) finds w ≈ 1.5, b ≈ 0.1"""
    X, y = toy_regression()
    got = student.batch_gradient.lr_gradient_descent(X, y, batch_size=3, max_iter=1000, rng=1)
    about = "on the toy data with batch_size=3, max_iter=1000 and rng=1"
    tolerance = (0.0, 0.01)
    expected = (np.array([[1.5], [1.5]]), 0.1)
    checks.result(
        "batch_gradient", "lr_gradient_descent", got, expected, about=about,
        reveal=True, tolerance=tolerance,
    )  # fmt: skip
