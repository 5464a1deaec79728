"""The reference solutions reproduce every number of the course notes."""

from __future__ import annotations

import numpy as np
import pytest

import solutions.batch_gradient as bg
import solutions.sgd as sgd
from grader.datasets import TOY_B_TRUE, TOY_W_TRUE, toy_regression

# The notes' starting point, written with integers exactly as the notes write it.
W0 = np.array([[1], [1]])
B0 = 0


def test_toy_regression_is_the_data_set_of_the_notes():
    X, y = toy_regression()
    assert X.shape == (12, 2) and y.shape == (12, 1)
    printed_y = [4.6, 6.1, 3.1, 1.6, 6.1, 1.6, 4.6, -2.15, 2.65, 4.6, 1.6, 0.1]
    np.testing.assert_allclose(y.ravel(), printed_y, atol=1e-12)
    np.testing.assert_allclose(y, X @ np.array(TOY_W_TRUE) + TOY_B_TRUE)
    X[0, 0], y[0, 0] = 99.0, 99.0
    X_again, y_again = toy_regression()
    assert X_again[0, 0] == 1.0 and y_again[0, 0] == pytest.approx(4.6), "must return fresh arrays"


def test_predictions_and_loss_of_the_first_batch():
    X, y = toy_regression()
    y_hat = bg.predict(X[:3], W0, B0)
    np.testing.assert_array_equal(y_hat, [[3.0], [4.0], [2.0]])
    # (1.6^2 + 2.1^2 + 1.1^2) / 3
    assert bg.mse(y_hat, y[:3]) == pytest.approx(8.18 / 3, rel=1e-12)


def test_gradients_of_the_first_batch():
    """Step 4 of the notes: dw = [[-6.000], [-4.267]], db = -3.200."""
    X, y = toy_regression()
    dw, db = bg.gradients(X[:3], y[:3], W0, B0)
    np.testing.assert_allclose(dw, [[-6.0], [-64 / 15]], rtol=1e-12)
    np.testing.assert_allclose(np.round(dw, 4), [[-6.0], [-4.2667]], rtol=0, atol=0)
    assert db == pytest.approx(-3.2, rel=1e-12)


def test_first_update_with_eta_one_tenth():
    """Step 5 of the notes: w = [[1.600], [1.427]], b = 0.320."""
    X, y = toy_regression()
    dw, db = bg.gradients(X[:3], y[:3], W0, B0)
    w, b = bg.update(W0, B0, dw, db, 0.1)
    np.testing.assert_allclose(w, [[1.6], [1 + 6.4 / 15]], rtol=1e-12)
    np.testing.assert_allclose(np.round(w, 4), [[1.6], [1.4267]], rtol=0, atol=0)
    assert b == pytest.approx(0.32, rel=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_mini_batch_gradient_descent_finds_the_true_parameters(seed):
    """The end of the notes: batch_size=3, max_iter=1000 reaches w ~ [[1.5], [1.5]], b ~ 0.1.

    Over seeds 0-19 the reference lands within 0.0022 of 1.5 for both weights and within
    0.0051 of 0.1 for b; 0.01 leaves room without letting a wrong method through.
    """
    X, y = toy_regression()
    w, b = bg.lr_gradient_descent(X, y, batch_size=3, max_iter=1000, rng=seed)
    np.testing.assert_allclose(w, [[1.5], [1.5]], rtol=0, atol=0.01)
    assert b == pytest.approx(0.1, abs=0.01)


@pytest.mark.parametrize("seed", range(10))
def test_stochastic_gradient_descent_finds_the_true_parameters(seed):
    """Exercise 1 of the notes: SGD on the same example, with its defaults, gets there too.

    Over seeds 0-9 the reference lands within 0.0061 of 1.5 and within 0.012 of 0.1.
    """
    X, y = toy_regression()
    w, b = sgd.sgd(X, y, rng=seed)
    np.testing.assert_allclose(w, [[1.5], [1.5]], rtol=0, atol=0.01)
    assert b == pytest.approx(0.1, abs=0.02)


def test_one_epoch_does_not_reach_the_true_parameters():
    """The convergence tests above can fail: after a single epoch the fit is still far off."""
    X, y = toy_regression()
    w, b = bg.lr_gradient_descent(X, y, batch_size=3, max_iter=1, rng=0)
    assert np.abs(w - 1.5).max() > 0.01 or abs(b - 0.1) > 0.01
