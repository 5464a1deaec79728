"""Hidden suite, exercise 2: one stochastic step, and stochastic gradient descent."""

from __future__ import annotations

import numpy as np
import pytest

from grader.datasets import toy_regression
from grader.suites import checks
from grader.suites.hidden.inputs import linear, regression

grades = pytest.mark.grades


# --- sgd_step -----------------------------------------------------------------------------------


@grades("sgd_step")
@pytest.mark.parametrize(
    ("x_shape", "y_kind"),
    [
        pytest.param("(p,)", "float", id="x (p,), y float"),
        pytest.param("(1, p)", "(1, 1)", id="x (1, p), y (1, 1)"),
        pytest.param("(p,)", "(1,)", id="x (p,), y (1,)"),
        pytest.param("(1, p)", "numpy", id="x (1, p), y NumPy scalar"),
    ],
)
def test_step_accepts_every_form(agree, x_shape, y_kind):
    """sgd_step: x as (p,) or (1, p), y as a number or a one-element array, same step"""
    X, y, w, b = linear(1, 3, seed=40)
    x = X.ravel() if x_shape == "(p,)" else X
    target = {
        "float": float(y[0, 0]),
        "(1, 1)": y,
        "(1,)": y.ravel(),
        "numpy": np.float64(y[0, 0]),
    }[y_kind]
    agree("sgd_step", x, target, w, b, 0.05, about=f"with x of shape {x_shape} and y {y_kind}")


@grades("sgd_step")
def test_step_one_feature(agree):
    """sgd_step: one step with a single feature (p = 1)"""
    X, y, w, b = linear(1, 1, seed=41)
    agree("sgd_step", X, y, w, b, 0.1, about="with p = 1")


@grades("sgd_step")
def test_step_integer_inputs(agree):
    """sgd_step: integer x, y, w and b are accepted"""
    agree(
        "sgd_step",
        np.array([1, 2]),
        5,
        np.array([[1], [1]]),
        0,
        0.01,
        about="on integer x = [1, 2], y = 5, w = [[1], [1]], b = 0",
    )


@grades("sgd_step")
def test_step_first_toy_observation(agree):
    """sgd_step: one step on the notes' first observation from w = [[1], [1]], b = 0"""
    X, y = toy_regression()
    agree("sgd_step", X[0], y[0], np.ones((2, 1)), 0.0, 0.01, about="on the first toy row")


# --- sgd ----------------------------------------------------------------------------------------


@grades("sgd")
@pytest.mark.parametrize(
    ("n", "p", "eta"),
    [
        pytest.param(9, 3, 0.05, id="n=9, p=3"),
        pytest.param(12, 1, 0.05, id="n=12, p=1"),
        pytest.param(1, 2, 0.1, id="n=1"),
    ],
)
def test_sgd_matches_reference(agree, n, p, eta):
    """sgd: same seed (a Generator), same result as the reference"""
    X, y = regression(n, p, seed=50 + n)
    agree(
        "sgd",
        X,
        y,
        eta=eta,
        max_iter=4,
        rng=np.random.default_rng(60 + n),
        about=f"on {n} observation(s) with {p} feature(s), eta={eta} and 4 epochs",
    )


@grades("sgd")
def test_sgd_int_seed_toy_data(agree):
    """sgd: the notes' toy data with eta=0.01 and an int seed, as the reference, every time"""
    X, y = toy_regression()
    agree.twice("sgd", X, y, max_iter=5, rng=3, about="on the toy data with rng=3 and 5 epochs")


@grades("sgd")
def test_sgd_all_defaults(agree):
    """sgd: the defaults (eta=0.01, max_iter=100, tol=1e-8) on 10 observations"""
    X, y = regression(10, 2, seed=42)
    agree("sgd", X, y, rng=42, about="on 10 observations with only rng=42 given")


@grades("sgd")
def test_sgd_is_minibatch_of_one(agree, ref):
    """sgd: equals lr_gradient_descent(..., batch_size=1) on the same seed"""
    X, y = regression(10, 2, seed=52)
    settings = dict(eta=0.05, max_iter=3, rng=4)
    expected = ref.batch_gradient.lr_gradient_descent(X, y, batch_size=1, **settings)
    agree.check(
        "sgd", expected, X, y, **settings, about="compared with mini-batch GD of batch size 1"
    )


@grades("sgd")
def test_sgd_rng_none(agree):
    """sgd: rng=None (the default) runs and returns w (p, 1) and a scalar b"""
    X, y = regression(8, 3, seed=53)
    agree.shapes("sgd", X, y, max_iter=2, about="with rng=None")


@grades("sgd")
def test_sgd_flat_y(agree):
    """sgd: y of shape (n,) gives the same result as (n, 1)"""
    X, y = regression(8, 2, seed=54)
    agree("sgd", X, y.ravel(), eta=0.05, max_iter=3, rng=5, about="with y of shape (n,)")


@grades("sgd")
def test_sgd_integer_inputs(agree):
    """sgd: integer X, y, w and b are accepted"""
    rng = np.random.default_rng(55)
    X, y = rng.integers(-2, 3, size=(6, 2)), rng.integers(-4, 5, size=(6, 1))
    agree(
        "sgd",
        X,
        y,
        w=np.array([[1], [1]]),
        b=0,
        max_iter=3,
        rng=6,
        about="on integer X, y, w = [[1], [1]] and b = 0",
    )


@grades("sgd")
def test_sgd_given_start(agree):
    """sgd: starts from the given w and b, and leaves the caller's w unchanged"""
    X, y = regression(7, 3, seed=56)
    w = np.array([[0.5], [-1.0], [0.25]])
    agree("sgd", X, y, eta=0.05, w=w, b=0.5, max_iter=2, rng=7, about="from a given w and b")


@grades("sgd")
def test_sgd_default_start(agree):
    """sgd: with max_iter=0 it returns the default start, w ones (p, 1), b = 0"""
    X, y = regression(5, 2, seed=57)
    agree("sgd", X, y, max_iter=0, rng=1, about="with max_iter=0 and no w or b")


@grades("sgd")
def test_sgd_no_epochs(agree):
    """sgd: with max_iter=0 it returns the given w and b unchanged"""
    X, y = regression(5, 3, seed=58)
    w = np.array([[0.25], [-0.5], [1.5]])
    agree("sgd", X, y, w=w, b=-1.25, max_iter=0, about="with max_iter=0")


@grades("sgd")
def test_sgd_huge_tol_one_update(agree):
    """sgd: with a huge tol it makes exactly one update, then stops"""
    X, y = regression(8, 2, seed=59)
    agree("sgd", X, y, eta=0.05, tol=1e12, rng=8, about="with tol=1e12")


@grades("sgd")
def test_sgd_stops_mid_run(agree):
    """sgd: with a moderate tol it stops at the same observation as the reference"""
    X, y = regression(8, 2, seed=60)
    agree("sgd", X, y, eta=0.05, tol=0.05, rng=np.random.default_rng(9), about="with tol=0.05")


@grades("sgd")
def test_sgd_stops_on_the_toy_data(agree):
    """sgd: on the toy data (eta=0.01) the default tol stops it where the reference stops"""
    X, y = toy_regression()
    agree("sgd", X, y, max_iter=200, rng=3, about="on the toy data with max_iter=200 and rng=3")


@grades("sgd")
def test_sgd_converges_on_toy_data(student):
    """sgd: 200 epochs on the toy data (eta=0.01) find w ≈ [[1.5], [1.5]], b ≈ 0.1"""
    X, y = toy_regression()
    got = student.sgd.sgd(X, y, eta=0.01, max_iter=200, rng=2)
    checks.result(
        "sgd",
        "sgd",
        got,
        (np.array([[1.5], [1.5]]), 0.1),
        about="on the toy data with eta=0.01, max_iter=200 and rng=2",
        reveal=True,
        tolerance=(0.0, 0.02),
    )
