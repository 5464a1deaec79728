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

#: With rng=0, the order of the first epoch on the 12 toy observations is
#: rng.permutation(12) = [9, 2, 7, 4, 5, 11, 0, 3, 6, 10, 8, 1].


@grades("predict")
def test_predict_first_batch(student):
    """predict: the notes' first batch from w = [[1], [1]], b = 0 gives y_hat = [[3], [4], [2]]"""
    got = student.batch_gradient.predict(X3, W0, B0)
    expect(
        "predict",
        got,
        np.array([[3.0], [4.0], [2.0]]),
        about="on the notes' first batch",
        call=student.called,
    )


@grades("predict")
def test_predict_adds_b(student):
    """predict: with b = 0.5 every prediction of the first batch moves up by 0.5"""
    got = student.batch_gradient.predict(X3, W0, 0.5)
    expected = np.array([[3.5], [4.5], [2.5]])
    expect("predict", got, expected, about="on the notes' first batch with b = 0.5",
           call=student.called)  # fmt: skip


@grades("mse")
def test_mse_first_batch(student):
    """mse: the loss of the first batch at the start is 8.18 / 3 = 2.7267"""
    got = student.batch_gradient.mse(np.array([[3.0], [4.0], [2.0]]), Y3)
    expect("mse", got, 8.18 / 3, about="on the notes' first batch", call=student.called)


@grades("mse")
def test_mse_flat_target(student):
    """mse: y_true of shape (n,) gives the same loss as (n, 1)"""
    got = student.batch_gradient.mse(np.array([[3.0], [4.0], [2.0]]), Y3.ravel())
    expect("mse", got, 8.18 / 3, about="with y_true of shape (3,)", call=student.called)


@grades("gradients")
def test_gradients_first_batch(student):
    """gradients: the first batch of the notes gives dw = [[-6.0], [-4.2667]], db = -3.2"""
    got = student.batch_gradient.gradients(X3, Y3, W0, B0)
    expect(
        "gradients",
        got,
        (np.array([[-6.0], [-12.8 / 3]]), -3.2),
        about="on the first batch",
        call=student.called,
    )


@grades("gradients")
def test_gradients_flat_target(student):
    """gradients: y of shape (n,) gives the same gradients as y of shape (n, 1)"""
    got = student.batch_gradient.gradients(X3, Y3.ravel(), W0, B0)
    expected = (np.array([[-6.0], [-12.8 / 3]]), -3.2)
    expect(
        "gradients",
        got,
        expected,
        about="on the first batch with y of shape (3,)",
        call=student.called,
    )


@grades("update")
def test_update_step_five(student):
    """update: Step 5 of the notes (eta = 0.1) gives w = [[1.6], [1.4267]], b = 0.32"""
    dw, db = np.array([[-6.0], [-12.8 / 3]]), -3.2
    got = student.batch_gradient.update(W0, B0, dw, db, 0.1)
    expect(
        "update",
        got,
        (np.array([[1.6], [1 + 1.28 / 3]]), 0.32),
        about="in Step 5",
        call=student.called,
    )


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
    expect(
        "lr_gradient_descent",
        got,
        (np.ones((2, 1)), 0.0),
        about="with max_iter=0",
        call=student.called,
    )


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
        call=student.called,
    )


# --- the loop, one rule at a time (worked examples on the 12 toy observations) ------------------

LAST_BATCH = (
    "With n = 12 and batch_size = 5 an epoch has three batches, of 5, 5 and 2 rows. Does your "
    "loop reach the last, smaller batch, and is each gradient divided by the size of its own "
    "batch (N = 2 for the last one)?"
)
GENERATOR = (
    "rng=0 and rng=np.random.default_rng(0) must give the same orders. Is every order drawn "
    "from the one generator that np.random.default_rng(rng) gives you, made once before the "
    "epochs, and never from NumPy's global functions?"
)
EPOCHS = (
    "How many times does your epoch loop run for this max_iter, and does each epoch draw its "
    "own rng.permutation(n), once, from the same generator?"
)
STOP = (
    "With tol=1e9 the run stops at the second check, before the second update. Does your check "
    "come before the update, comparing the current batch's loss with the previous one (which "
    "starts at inf)?"
)


@grades("lr_gradient_descent")
def test_descent_one_step_on_the_whole_data(student):
    """lr_gradient_descent: one batch of all 12 rows, one epoch: w = [[1.2771], [1.3528]]"""
    X, y = toy_regression()
    w = np.ones((2, 1))
    got = student.batch_gradient.lr_gradient_descent(X, y, batch_size=12, max_iter=1, w=w, b=0.0)
    called = student.called
    # One batch of N = 12 from w = [[1], [1]], b = 0: dw = 2/12 X^T (y_hat - y), then Step 5.
    expected = (np.array([[1.2770833333333333], [1.35275]]), 0.205)
    about = "on the toy data with batch_size=12 and max_iter=1"
    expect("lr_gradient_descent", got, expected, about=about, call=called)
    checks.unchanged(called.mutated, checks.Context("lr_gradient_descent", about="from w given"))


@grades("lr_gradient_descent")
def test_descent_last_batch_is_smaller(student):
    """lr_gradient_descent: batch_size=5 walks batches of 5, 5 and 2, each divided by its size"""
    X, y = toy_regression()
    got = student.batch_gradient.lr_gradient_descent(X, y, batch_size=5, max_iter=1, tol=0, rng=0)
    # Rows 9 2 7 4 5 (N = 5), then 11 0 3 6 10 (N = 5), then 8 1 (N = 2): three steps.
    expected = (np.array([[1.4805609999999998], [1.4604103999999998]]), 0.2615219999999999)
    expect("lr_gradient_descent", got, expected,
           about="on the toy data with batch_size=5, one epoch, tol=0 and rng=0",
           call=student.called, step=LAST_BATCH)  # fmt: skip


@grades("lr_gradient_descent")
def test_descent_uses_the_generator_given(student):
    """lr_gradient_descent: rng=np.random.default_rng(0) orders the rows as rng=0 does"""
    X, y = toy_regression()
    rng = np.random.default_rng(0)
    got = student.batch_gradient.lr_gradient_descent(X, y, batch_size=5, max_iter=1, tol=0, rng=rng)
    expected = (np.array([[1.4805609999999998], [1.4604103999999998]]), 0.2615219999999999)
    expect("lr_gradient_descent", got, expected,
           about="with rng a Generator made from the seed 0 (batch_size=5, one epoch, tol=0)",
           call=student.called, step=GENERATOR)  # fmt: skip


@grades("lr_gradient_descent")
@pytest.mark.parametrize(
    ("epochs", "w", "b"),
    [
        (2, [1.4906153567143996, 1.4276736787289601], 0.22934185616480002),
        (3, [1.4851894003998163, 1.4386899886534656], 0.21734145261876361),
    ],
    ids=["2 epochs", "3 epochs"],
)
def test_descent_runs_max_iter_epochs(student, epochs, w, b):
    """lr_gradient_descent: max_iter epochs, each with a new rng.permutation(12) of the rows"""
    X, y = toy_regression()
    got = student.batch_gradient.lr_gradient_descent(
        X, y, batch_size=5, max_iter=epochs, tol=0, rng=0
    )
    expect("lr_gradient_descent", got, (np.array(w).reshape(2, 1), b),
           about=f"on the toy data with batch_size=5, max_iter={epochs}, tol=0 and rng=0",
           call=student.called, step=EPOCHS)  # fmt: skip


@grades("lr_gradient_descent")
def test_descent_default_epochs(student):
    """lr_gradient_descent: without max_iter it runs 100 epochs (eta=0.001: still far from 1.5)"""
    X, y = toy_regression()
    got = student.batch_gradient.lr_gradient_descent(X, y, batch_size=5, eta=0.001, tol=0, rng=0)
    expected = (np.array([[1.3936898591856652], [1.3963633486457763]]), 0.22862888728619774)
    expect("lr_gradient_descent", got, expected,
           about="on the toy data with batch_size=5, eta=0.001, tol=0, rng=0 and no max_iter",
           call=student.called, step=EPOCHS + " What is the default of max_iter?")  # fmt: skip


@grades("lr_gradient_descent")
def test_descent_checks_before_updating(student):
    """lr_gradient_descent: tol=1e9 stops the run before its second update: one step"""
    X, y = toy_regression()
    got = student.batch_gradient.lr_gradient_descent(
        X, y, batch_size=12, max_iter=5, tol=1e9, rng=0
    )
    # The first check compares with inf, so the first step is taken; the second check stops.
    expected = (np.array([[1.2770833333333333], [1.35275]]), 0.205)
    expect("lr_gradient_descent", got, expected,
           about="on the toy data with batch_size=12, max_iter=5 and tol=1e9",
           call=student.called, step=STOP)  # fmt: skip
