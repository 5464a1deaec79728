"""Public suite, exercise 1: the worked example of the notes, step by step.

Every expected number here is one the notes print. The hidden suite that scores your work checks
the same functions on many more inputs (other sizes, y of shape (n,), integer inputs, seeds).
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from grader.datasets import toy_regression
from grader.suites import checks

grades = pytest.mark.grades
expect = partial(checks.result, "batch_gradient", reveal=True)

#: The first batch of the notes (N = 3) and the starting point of Step 4.
X3 = np.array([[1.0, 2.0], [3.0, 1.0], [1.0, 1.0]])
Y3 = np.array([[4.6], [6.1], [3.1]])
W0 = np.array([[1], [1]])
B0 = 0


@grades("predict")
def test_predict_first_batch(student):
    """predict: the notes' first batch from w = [[1], [1]], b = 0 gives y_hat = [[3], [4], [2]]"""
    got = student.batch_gradient.predict(X3, W0, B0)
    expect("predict", got, np.array([[3.0], [4.0], [2.0]]), about="on the notes' first batch")


@grades("mse")
def test_mse_first_batch(student):
    """mse: the loss of the first batch at the start is 8.18 / 3 = 2.7267"""
    got = student.batch_gradient.mse(np.array([[3.0], [4.0], [2.0]]), Y3)
    expect("mse", got, 8.18 / 3, about="on the notes' first batch")


@grades("mse")
def test_mse_flat_target(student):
    """mse: y_true of shape (n,) gives the same loss as (n, 1)"""
    got = student.batch_gradient.mse(np.array([[3.0], [4.0], [2.0]]), Y3.ravel())
    expect("mse", got, 8.18 / 3, about="with y_true of shape (3,)")


@grades("gradients")
def test_gradients_first_batch(student):
    """gradients: the first batch of the notes gives dw = [[-6.0], [-4.2667]], db = -3.2"""
    got = student.batch_gradient.gradients(X3, Y3, W0, B0)
    expect("gradients", got, (np.array([[-6.0], [-12.8 / 3]]), -3.2), about="on the first batch")


@grades("gradients")
def test_gradients_flat_target(student):
    """gradients: y of shape (n,) gives the same gradients as y of shape (n, 1)"""
    got = student.batch_gradient.gradients(X3, Y3.ravel(), W0, B0)
    expected = (np.array([[-6.0], [-12.8 / 3]]), -3.2)
    expect("gradients", got, expected, about="on the first batch with y of shape (3,)")


@grades("update")
def test_update_step_five(student):
    """update: Step 5 of the notes (eta = 0.1) gives w = [[1.6], [1.4267]], b = 0.32"""
    dw, db = np.array([[-6.0], [-12.8 / 3]]), -3.2
    got = student.batch_gradient.update(W0, B0, dw, db, 0.1)
    expect("update", got, (np.array([[1.6], [1 + 1.28 / 3]]), 0.32), about="in Step 5")


@grades("update")
def test_update_leaves_w_alone(student):
    """update: returns a new w and leaves the caller's w unchanged"""
    w = np.array([[1.0], [1.0]])
    student.batch_gradient.update(w, 0.0, np.array([[-6.0], [-4.0]]), -3.2, 0.1)
    checks.unchanged(student.last.mutated, checks.Context("update", about="from w = [[1.], [1.]]"))


@grades("lr_gradient_descent")
def test_descent_default_start(student):
    """lr_gradient_descent: with max_iter=0 it returns the default start, w ones (p, 1), b = 0"""
    X, y = toy_regression()
    got = student.batch_gradient.lr_gradient_descent(X, y, max_iter=0)
    expect("lr_gradient_descent", got, (np.ones((2, 1)), 0.0), about="with max_iter=0")


@grades("lr_gradient_descent")
def test_descent_converges_on_toy_data(student):
    """lr_gradient_descent: the notes' run (batch_size=3, 1000 epochs) finds w ≈ 1.5, b ≈ 0.1"""
    X, y = toy_regression()
    got = student.batch_gradient.lr_gradient_descent(X, y, batch_size=3, max_iter=1000, rng=0)
    expect(
        "lr_gradient_descent",
        got,
        (np.array([[1.5], [1.5]]), 0.1),
        about="on the toy data with batch_size=3, max_iter=1000 and rng=0",
        tolerance=(0.0, 0.01),
    )
