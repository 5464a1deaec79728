"""Public suite, exercise 2: stochastic gradient descent on the toy data of the notes.

The expected numbers follow from the notes' formulas with a batch of one observation (N = 1).
The hidden suite that scores your work also compares whole runs with a seeded `rng`.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from grader.datasets import toy_regression
from grader.suites import checks

grades = pytest.mark.grades
expect = partial(checks.result, "sgd", reveal=True)


@grades("sgd_step")
def test_step_first_observation(student):
    """sgd_step: on x = [1, 2], y = 4.6 from w = [[1], [1]], b = 0, eta = 0.01 gives b = 0.032"""
    got = student.sgd.sgd_step(np.array([1.0, 2.0]), 4.6, np.ones((2, 1)), 0.0, 0.01)
    # The residual is 3 - 4.6 = -1.6, so dw = 2 * x * (-1.6) and db = 2 * (-1.6).
    expected = (np.array([[1.032], [1.064]]), 0.032)
    expect("sgd_step", got, expected, about="on the first toy observation", call=student.called)


@grades("sgd_step")
def test_step_row_and_array_target(student):
    """sgd_step: x of shape (1, p) and y of shape (1, 1) give the same step"""
    got = student.sgd.sgd_step(np.array([[1.0, 2.0]]), np.array([[4.6]]), np.ones((2, 1)), 0, 0.01)
    expected = (np.array([[1.032], [1.064]]), 0.032)
    expect(
        "sgd_step",
        got,
        expected,
        about="with x of shape (1, 2) and y of shape (1, 1)",
        call=student.called,
    )


@grades("sgd")
def test_sgd_default_start(student):
    """sgd: with max_iter=0 it returns the default start, w ones (p, 1), b = 0"""
    X, y = toy_regression()
    got = student.sgd.sgd(X, y, max_iter=0)
    expect("sgd", got, (np.ones((2, 1)), 0.0), about="with max_iter=0", call=student.called)


@grades("sgd")
def test_sgd_converges_on_toy_data(student):
    """sgd: 200 epochs on the toy data (eta=0.01) find w ≈ [[1.5], [1.5]], b ≈ 0.1"""
    X, y = toy_regression()
    got = student.sgd.sgd(X, y, eta=0.01, max_iter=200, rng=0)
    expect(
        "sgd",
        got,
        (np.array([[1.5], [1.5]]), 0.1),
        about="on the toy data with eta=0.01, max_iter=200 and rng=0",
        tolerance=(0.0, 0.02),
        call=student.called,
    )


# --- the loop, one rule at a time (worked examples on the 12 toy observations) ------------------

#: With rng=0 the first epoch visits the rows 9, 2, 7, 4, 5, 11, 0, 3, 6, 10, 8, 1.
ORDER = (
    "One epoch is 12 steps of one row each, in the order rng.permutation(12): rows 9, 2, 7, "
    "... . Do you walk that permutation itself, every row once, with eta's default of 0.01?"
)
GENERATOR = (
    "rng=0 and rng=np.random.default_rng(0) must give the same order. Is every order drawn "
    "from the one generator that np.random.default_rng(rng) gives you, and never from NumPy's "
    "global functions?"
)
EPOCHS = (
    "Does each epoch draw its own rng.permutation(n), once, from the same generator, and visit "
    "the rows in exactly that order?"
)
STOP = (
    "With tol=1e9 the run stops at the second check, before the second update. Does your check "
    "come before the update, comparing this row's loss with the previous one (which starts at "
    "inf)?"
)
ONE_EPOCH = (np.array([[1.2540324978536093], [1.2812078688687731]]), 0.16350150979277467)


@grades("sgd")
def test_sgd_one_epoch(student):
    """sgd: one epoch with rng=0 makes 12 steps, one per row, in the order rng.permutation(12)"""
    X, y = toy_regression()
    w = np.ones((2, 1))
    got = student.sgd.sgd(X, y, w=w, b=0.0, max_iter=1, tol=0, rng=0)
    called = student.called
    expect("sgd", got, ONE_EPOCH, about="on the toy data with max_iter=1, tol=0 and rng=0",
           call=called, step=ORDER)  # fmt: skip
    checks.unchanged(called.mutated, checks.Context("sgd", about="from w given"))


@grades("sgd")
def test_sgd_uses_the_generator_given(student):
    """sgd: rng=np.random.default_rng(0) orders the rows as rng=0 does"""
    X, y = toy_regression()
    got = student.sgd.sgd(X, y, max_iter=1, tol=0, rng=np.random.default_rng(0))
    expect("sgd", got, ONE_EPOCH, about="with rng a Generator made from the seed 0 (one epoch)",
           call=student.called, step=GENERATOR)  # fmt: skip


@grades("sgd")
def test_sgd_two_epochs(student):
    """sgd: max_iter=2 runs two epochs, the second in a new order"""
    X, y = toy_regression()
    got = student.sgd.sgd(X, y, max_iter=2, tol=0, rng=0)
    expected = (np.array([[1.3676058706092848], [1.3834188354759305]]), 0.21819691329825602)
    expect("sgd", got, expected, about="on the toy data with max_iter=2, tol=0 and rng=0",
           call=student.called, step=EPOCHS)  # fmt: skip


@grades("sgd")
def test_sgd_checks_before_updating(student):
    """sgd: with tol=1e9 the run stops before the second update: one step, on row 9"""
    X, y = toy_regression()
    got = student.sgd.sgd(X, y, max_iter=3, tol=1e9, rng=0)
    # Row 9 is x = [2, 1], y = 4.6: the residual 3 - 4.6 = -1.6 moves w by -0.01 * 2 * x * -1.6.
    expected = (np.array([[1.064], [1.032]]), 0.032)
    expect("sgd", got, expected, about="on the toy data with max_iter=3, tol=1e9 and rng=0",
           call=student.called, step=STOP)  # fmt: skip
