"""CONTRACT §1, exercises 1 and 2: the reference mini-batch GD and SGD follow it to the letter."""

from __future__ import annotations

import numbers

import numpy as np
import pytest

import solutions.batch_gradient as bg
import solutions.sgd as sgd
from grader.datasets import make_regression, toy_regression


def by_hand(X, y, *, batch_size, eta, w, b, max_iter, tol, rng):
    """The contract's mini-batch gradient descent written out plainly: the oracle of these tests."""
    X = np.array(X, dtype=float)
    y = np.array(y, dtype=float).reshape(-1, 1)
    w = np.array(w, dtype=float).reshape(-1, 1)
    b = float(b)
    n = len(X)
    rng = np.random.default_rng(rng)
    previous_loss = np.inf
    for _epoch in range(max_iter):
        order = rng.permutation(n)
        for batch in [order[start : start + batch_size] for start in range(0, n, batch_size)]:
            residual = X[batch] @ w + b - y[batch]
            loss = float(np.mean(residual**2))
            if abs(loss - previous_loss) < tol:
                return w, b
            previous_loss = loss
            w = w - eta * (2 / len(batch)) * (X[batch].T @ residual)
            b = b - eta * (2 / len(batch)) * float(residual.sum())
    return w, b


def assert_w_b(w, b, p):
    """`w` a float array (p, 1), `b` a real scalar (Python or NumPy)."""
    assert isinstance(w, np.ndarray) and np.issubdtype(w.dtype, np.floating), type(w)
    assert w.shape == (p, 1), w.shape
    assert isinstance(b, numbers.Real) and not isinstance(b, bool), type(b)
    assert np.ndim(b) == 0


def parts(result):
    """The pieces of a result: the items of a `(w, b)` pair, or the one value."""
    return list(result) if isinstance(result, tuple) else [result]


def assert_same(first, second, atol=0.0):
    np.testing.assert_allclose(first[0], second[0], rtol=0, atol=atol)
    np.testing.assert_allclose(first[1], second[1], rtol=0, atol=atol)


# -- mini-batch gradient descent against the oracle ---------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 3, 5, 7, 12, 50])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("tol", [0.0, 1e-8])
def test_mini_batch_gd_matches_the_contract_written_out(batch_size, seed, tol):
    X, y = toy_regression()
    got = bg.lr_gradient_descent(
        X, y, batch_size=batch_size, eta=0.05, max_iter=30, tol=tol, rng=seed
    )
    expected = by_hand(
        X, y, batch_size=batch_size, eta=0.05, w=np.ones((2, 1)), b=0.0, max_iter=30, tol=tol,
        rng=seed,
    )  # fmt: skip
    assert_same(got, expected, atol=1e-12)


def test_a_run_that_stops_early_matches_the_oracle_too():
    """With the notes' settings the stopping rule fires long before 1000 epochs."""
    X, y = toy_regression()
    settings = dict(batch_size=3, eta=0.1, max_iter=1000, tol=1e-8, rng=5)
    expected = by_hand(X, y, w=np.ones((2, 1)), b=0.0, **settings)
    assert_same(bg.lr_gradient_descent(X, y, **settings), expected, atol=1e-12)


def test_every_observation_is_used_when_the_batches_leave_a_remainder():
    """12 observations in batches of 5: the last batch of 2 counts, with its own size."""
    X, y = toy_regression()
    base = bg.lr_gradient_descent(X, y, batch_size=5, eta=0.05, max_iter=1, tol=0.0, rng=4)
    for i in range(len(X)):
        nudged = y.copy()
        nudged[i] += 1.0
        w, b = bg.lr_gradient_descent(X, nudged, batch_size=5, eta=0.05, max_iter=1, tol=0, rng=4)
        assert not np.allclose(w, base[0]) and b != base[1], f"observation {i} was ignored"
    expected = by_hand(
        X, y, batch_size=5, eta=0.05, w=np.ones((2, 1)), b=0.0, max_iter=1, tol=0.0, rng=4
    )
    assert_same(base, expected, atol=1e-12)


@pytest.mark.parametrize("batch_size", [12, 13, 1000])
def test_a_batch_of_at_least_n_is_full_batch_gd_and_ignores_the_seed(batch_size):
    X, y, _, _ = make_regression(n=12, p=2, seed=3)
    runs = [
        bg.lr_gradient_descent(X, y, batch_size=batch_size, max_iter=40, tol=0.0, rng=rng)
        for rng in (0, 1, 2, None, np.random.default_rng(9))
    ]
    w, b = np.ones((2, 1)), 0.0
    for _ in range(40):  # plain gradient descent on all the data, no randomness anywhere
        residual = X @ w + b - y
        w, b = w - 0.1 * 2 / 12 * X.T @ residual, b - 0.1 * 2 / 12 * residual.sum()
    for run in runs:
        assert_same(run, (w, b), atol=1e-12)


# -- stochastic gradient descent ----------------------------------------------------------------


@pytest.mark.parametrize("eta", [0.01, 0.05])
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("max_iter", [1, 100])
def test_sgd_equals_mini_batch_gd_with_batches_of_one(eta, seed, max_iter):
    X, y = toy_regression()
    got = sgd.sgd(X, y, eta=eta, max_iter=max_iter, rng=seed)
    expected = bg.lr_gradient_descent(X, y, batch_size=1, eta=eta, max_iter=max_iter, rng=seed)
    assert_same(got, expected, atol=1e-12)


def test_sgd_equals_mini_batch_gd_with_batches_of_one_on_a_larger_set():
    X, y, _, _ = make_regression(n=40, p=3, seed=1)
    got = sgd.sgd(X, y, eta=0.02, max_iter=20, tol=0.0, rng=7)
    expected = bg.lr_gradient_descent(X, y, batch_size=1, eta=0.02, max_iter=20, tol=0.0, rng=7)
    assert_same(got, expected, atol=1e-12)


def test_an_sgd_step_is_a_gradient_step_on_one_observation():
    X, y = toy_regression()
    w, b = np.array([[0.5], [-1.0]]), 0.25
    dw, db = bg.gradients(X[4:5], y[4:5], w, b)
    assert_same(sgd.sgd_step(X[4], y[4, 0], w, b, 0.1), bg.update(w, b, dw, db, 0.1), atol=1e-15)


# -- defaults, types and shapes -----------------------------------------------------------------


def test_max_iter_zero_returns_the_default_starting_point():
    X, y = toy_regression()
    for w, b in (bg.lr_gradient_descent(X, y, max_iter=0), sgd.sgd(X, y, max_iter=0)):
        assert_w_b(w, b, 2)
        np.testing.assert_array_equal(w, np.ones((2, 1)))
        assert b == 0.0 and isinstance(b, float | np.floating), "the default b is 0.0"


def test_max_iter_zero_returns_the_given_starting_point():
    X, y = toy_regression()
    w0 = np.array([[0.5], [-2.0]])
    for w, b in (
        bg.lr_gradient_descent(X, y, w=w0, b=0.75, max_iter=0),
        sgd.sgd(X, y, w=w0, b=0.75, max_iter=0),
    ):
        np.testing.assert_array_equal(w, w0)
        assert b == 0.75


def test_returned_types_and_shapes():
    X, y, _, _ = make_regression(n=9, p=3, seed=2)
    w0 = np.full((3, 1), 0.5)
    y_hat = bg.predict(X, w0, 1.0)
    assert isinstance(y_hat, np.ndarray) and y_hat.shape == (9, 1)
    loss = bg.mse(y_hat, y)
    assert isinstance(loss, numbers.Real) and np.ndim(loss) == 0
    assert_w_b(*bg.gradients(X, y, w0, 1.0), 3)
    assert_w_b(*bg.update(w0, 1.0, w0, 0.5, 0.1), 3)
    assert_w_b(*bg.lr_gradient_descent(X, y, batch_size=4, max_iter=3, rng=0), 3)
    assert_w_b(*sgd.sgd_step(X[0], y[0], w0, 1.0, 0.1), 3)
    assert_w_b(*sgd.sgd(X, y, max_iter=3, rng=0), 3)


def test_update_returns_new_objects():
    w = np.array([[1.0], [1.0]])
    new_w, _ = bg.update(w, 0.0, np.array([[1.0], [2.0]]), 1.0, 0.1)
    assert not np.shares_memory(new_w, w)


# -- inputs: never modified, (n,) or (n, 1), integers --------------------------------------------


def _calls(X, y, w, b):
    """Every function of exercises 1 and 2, called on the given arrays."""
    return {
        "predict": lambda: bg.predict(X, w, b),
        "mse": lambda: bg.mse(X @ w, y),
        "gradients": lambda: bg.gradients(X, y, w, b),
        "update": lambda: bg.update(w, b, w, b, 0.1),
        "lr_gradient_descent": lambda: bg.lr_gradient_descent(
            X, y, batch_size=5, eta=0.05, w=w, b=b, max_iter=3, rng=0
        ),
        "sgd_step": lambda: sgd.sgd_step(X[0], y[0], w, b, 0.05),
        "sgd": lambda: sgd.sgd(X, y, w=w, b=b, max_iter=3, rng=0),
    }


@pytest.mark.parametrize("name", list(_calls(None, None, None, None)))
def test_no_input_is_modified(name):
    X, y = toy_regression()
    w = np.array([[0.5], [2.0]])
    before = X.copy(), y.copy(), w.copy()
    _calls(X, y, w, 0.5)[name]()
    for after, saved in zip((X, y, w), before, strict=True):
        np.testing.assert_array_equal(after, saved)


@pytest.mark.parametrize("name", ["mse", "gradients", "lr_gradient_descent", "sgd_step", "sgd"])
def test_flat_and_column_targets_give_identical_results(name):
    X, y = toy_regression()
    w = np.array([[0.5], [2.0]])
    column = _calls(X, y, w, 0.5)[name]()
    flat = _calls(X, y.ravel(), w, 0.5)[name]()
    for a, b in zip(parts(column), parts(flat), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("target", [4.6, np.float64(4.6), np.array([4.6]), np.array([[4.6]])])
@pytest.mark.parametrize("x", [np.array([1.0, 2.0]), np.array([[1.0, 2.0]])])
def test_sgd_step_accepts_every_shape_of_one_observation(x, target):
    w, b = sgd.sgd_step(x, target, np.array([[1], [1]]), 0, 0.1)
    np.testing.assert_allclose(w, [[1.32], [1.64]], rtol=1e-12)
    assert b == pytest.approx(0.32, rel=1e-12)


@pytest.mark.parametrize("name", list(_calls(None, None, None, None)))
def test_integer_inputs_give_the_float_results(name):
    X = np.array([[1, 2], [3, 1], [1, 1], [0, 1], [2, 2], [-2, 3], [4, -1]])
    y = np.array([[5], [6], [3], [2], [6], [2], [4]])
    w = np.array([[1], [0]])
    with_ints = _calls(X, y, w, 0)[name]()
    with_floats = _calls(X.astype(float), y.astype(float), w.astype(float), 0.0)[name]()
    for a, b in zip(parts(with_ints), parts(with_floats), strict=True):
        np.testing.assert_array_equal(a, b)


# -- the stopping rule and the random generator -------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_huge_tolerance_makes_exactly_one_mini_batch_update(seed):
    """The first check compares with infinity and passes; the second stops before updating."""
    X, y = toy_regression()
    first = np.random.default_rng(seed).permutation(12)[:3]
    w0 = np.ones((2, 1))
    expected = bg.update(w0, 0.0, *bg.gradients(X[first], y[first], w0, 0.0), 0.1)
    got = bg.lr_gradient_descent(X, y, batch_size=3, max_iter=50, tol=1e300, rng=seed)
    assert_same(got, expected, atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_huge_tolerance_makes_exactly_one_sgd_update(seed):
    X, y = toy_regression()
    i = np.random.default_rng(seed).permutation(12)[0]
    expected = sgd.sgd_step(X[i], y[i], np.ones((2, 1)), 0.0, 0.01)
    assert_same(sgd.sgd(X, y, max_iter=50, tol=1e300, rng=seed), expected, atol=1e-15)


@pytest.mark.parametrize(
    "run",
    [
        lambda X, y, rng: bg.lr_gradient_descent(X, y, batch_size=3, max_iter=4, tol=0, rng=rng),
        lambda X, y, rng: sgd.sgd(X, y, max_iter=4, tol=0, rng=rng),
    ],
    ids=["lr_gradient_descent", "sgd"],
)
def test_rng_accepts_a_seed_a_generator_or_none(run):
    X, y = toy_regression()
    seeded = run(X, y, 11)
    assert_same(run(X, y, 11), seeded)
    assert_same(run(X, y, np.random.default_rng(11)), seeded)
    other = run(X, y, 12)
    assert not np.allclose(other[0], seeded[0]), "a different seed should shuffle differently"
    w, b = run(X, y, None)
    assert np.all(np.isfinite(w)) and np.isfinite(b)


@pytest.mark.parametrize(
    "run",
    [
        lambda X, y, rng: bg.lr_gradient_descent(X, y, batch_size=5, max_iter=4, tol=0, rng=rng),
        lambda X, y, rng: sgd.sgd(X, y, max_iter=4, tol=0, rng=rng),
    ],
    ids=["lr_gradient_descent", "sgd"],
)
def test_each_epoch_draws_exactly_one_permutation(run):
    X, y = toy_regression()
    used = np.random.default_rng(21)
    run(X, y, used)
    fresh = np.random.default_rng(21)
    for _ in range(4):
        fresh.permutation(12)
    assert used.bit_generator.state == fresh.bit_generator.state


# -- the gradient is the derivative of the loss -------------------------------------------------


def test_gradients_match_central_finite_differences():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 3)), rng.standard_normal(8)
    w, b, h = rng.standard_normal((3, 1)), 0.3, 1e-6
    dw, db = bg.gradients(X, y, w, b)
    for j in range(3):
        step = np.zeros((3, 1))
        step[j] = h
        slope = (bg.mse(bg.predict(X, w + step, b), y) - bg.mse(bg.predict(X, w - step, b), y)) / (
            2 * h
        )
        assert dw[j, 0] == pytest.approx(slope, rel=1e-6, abs=1e-9)
    slope = (bg.mse(bg.predict(X, w, b + h), y) - bg.mse(bg.predict(X, w, b - h), y)) / (2 * h)
    assert db == pytest.approx(slope, rel=1e-6, abs=1e-9)
