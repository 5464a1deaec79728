"""Public suite, exercise 3: logistic regression on small examples you can check by hand.

The worked example: X = [[1, 2], [-1, 0], [2, -1]], y = [1, 0, 1], starting from w = 0, b = 0,
where every probability is sigmoid(0) = 0.5.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from grader.datasets import toy_classification
from grader.suites import checks

grades = pytest.mark.grades
expect = partial(checks.result, "logistic_regression", reveal=True)

XS = np.array([[1.0, 2.0], [-1.0, 0.0], [2.0, -1.0]])
YS = np.array([[1], [0], [1]])


@grades("sigmoid")
def test_sigmoid_of_zero(student):
    """sigmoid: sigmoid(0) is 0.5"""
    expect(
        "sigmoid",
        student.logistic_regression.sigmoid(0.0),
        0.5,
        about="at z = 0",
        call=student.called,
    )


@grades("sigmoid")
def test_sigmoid_elementwise(student):
    """sigmoid: elementwise, sigmoid([-1, 0, 1]) = [0.2689, 0.5, 0.7311]"""
    got = student.logistic_regression.sigmoid(np.array([-1.0, 0.0, 1.0]))
    expected = np.array([0.2689414213699951, 0.5, 0.7310585786300049])
    expect("sigmoid", got, expected, about="on [-1, 0, 1]", call=student.called)


@grades("sigmoid")
def test_sigmoid_extremes(student):
    """sigmoid: sigmoid(-1000) ≈ 0 and sigmoid(1000) ≈ 1, with no overflow warning"""
    got = student.logistic_regression.sigmoid(np.array([[-1000.0], [1000.0]]))
    expect(
        "sigmoid", got, np.array([[0.0], [1.0]]), about="at z = -1000 and 1000", call=student.called
    )


@grades("predict_proba")
def test_predict_proba_at_zero(student):
    """predict_proba: from w = 0, b = 0 every probability is 0.5, shape (n, 1)"""
    got = student.logistic_regression.predict_proba(XS, np.zeros((2, 1)), 0.0)
    expect("predict_proba", got, np.full((3, 1), 0.5), about="at w = 0, b = 0", call=student.called)


@grades("predict_proba")
def test_predict_proba_adds_b(student):
    """predict_proba: at w = 0, b = log 3 every probability is 1 / (1 + 1/3) = 0.75"""
    got = student.logistic_regression.predict_proba(XS, np.zeros((2, 1)), np.log(3.0))
    expect("predict_proba", got, np.full((3, 1), 0.75), about="at w = 0, b = log 3",
           call=student.called)  # fmt: skip


@grades("bce")
def test_bce_of_one_half(student):
    """bce: probabilities 0.5 cost log 2 = 0.6931 whatever the labels"""
    got = student.logistic_regression.bce(np.full((3, 1), 0.5), YS)
    expect("bce", got, np.log(2.0), about="at p = 0.5", call=student.called)


@grades("bce")
def test_bce_certain_and_wrong(student):
    """bce: p exactly 0 or 1 with the opposite labels stays finite (about 27.63, from the clip)"""
    got = student.logistic_regression.bce(np.array([[0.0], [1.0]]), np.array([1, 0]))
    # -log(1e-12) = 27.631; the tolerance forgives how exactly 1 - eps is represented.
    expect(
        "bce",
        got,
        27.631021115928547,
        about="at p = 0 and 1",
        tolerance=(1e-4, 1e-9),
        call=student.called,
    )


@grades("logistic_gradients")
def test_logistic_gradients_worked_example(student):
    """logistic_gradients: the worked example gives dw = [[-2/3], [-1/6]], db = -1/6"""
    got = student.logistic_regression.logistic_gradients(XS, YS, np.zeros((2, 1)), 0.0)
    expected = (np.array([[-2 / 3], [-1 / 6]]), -1 / 6)
    expect("logistic_gradients", got, expected, about="on the worked example", call=student.called)


@grades("logistic_gradient_descent")
def test_logistic_descent_one_step(student):
    """logistic_gradient_descent: one iteration of the worked example gives w = [[1/15], [1/60]]"""
    got = student.logistic_regression.logistic_gradient_descent(XS, YS, max_iter=1)
    expected = (np.array([[1 / 15], [1 / 60]]), 1 / 60)
    expect(
        "logistic_gradient_descent",
        got,
        expected,
        about="after one iteration from 0",
        call=student.called,
    )


@grades("logistic_gradient_descent")
def test_logistic_descent_toy_set(student):
    """logistic_gradient_descent: the defaults on the toy set give w ≈ [[1.6523], [1.3253]]"""
    X, y = toy_classification()
    got = student.logistic_regression.logistic_gradient_descent(X, y)
    expected = (np.array([[1.6523448050472707], [1.325324067943998]]), 2.2317619819546306)
    expect(
        "logistic_gradient_descent",
        got,
        expected,
        about="on the toy classification set",
        call=student.called,
    )


@grades("predict")
def test_predict_at_threshold(student):
    """predict: probability exactly 0.5 is labelled 1; labels are integers of shape (n, 1)"""
    got = student.logistic_regression.predict(XS, np.zeros((2, 1)), 0.0)
    checks.integer_labels(got, checks.Context("predict", about="at w = 0, b = 0"))
    expect("predict", got, np.ones((3, 1), dtype=int), about="at w = 0, b = 0", call=student.called)


@grades("predict")
def test_predict_on_both_sides(student):
    """predict: w = [[0], [1]] gives probabilities [0.8808, 0.5, 0.2689], so labels [1, 1, 0]"""
    got = student.logistic_regression.predict(XS, np.array([[0.0], [1.0]]), 0.0)
    expect("predict", got, np.array([[1], [1], [0]]), about="at w = [[0], [1]], b = 0",
           call=student.called)  # fmt: skip


@grades("predict")
def test_predict_uses_the_threshold(student):
    """predict: threshold=0.8 with probabilities [0.7311, 0.2689, 0.8808] gives [0, 0, 1]"""
    got = student.logistic_regression.predict(XS, np.array([[1.0], [0.0]]), 0.0, threshold=0.8)
    expect("predict", got, np.array([[0], [0], [1]]), about="at threshold = 0.8",
           call=student.called)  # fmt: skip


@grades("logistic_gradient_descent")
def test_logistic_descent_default_start(student):
    """logistic_gradient_descent: with max_iter=0 it returns the default start, w zeros, b = 0"""
    got = student.logistic_regression.logistic_gradient_descent(XS, YS, max_iter=0)
    expect("logistic_gradient_descent", got, (np.zeros((2, 1)), 0.0), about="with max_iter=0",
           call=student.called)  # fmt: skip


@grades("logistic_gradient_descent")
def test_logistic_descent_two_steps(student):
    """logistic_gradient_descent: max_iter=2 on the worked example makes two steps"""
    w = np.zeros((2, 1))
    got = student.logistic_regression.logistic_gradient_descent(XS, YS, w=w, max_iter=2, tol=0)
    called = student.called
    expected = (np.array([[0.12972669659804936], [0.032500559336901255]]), 0.03166932430536774)
    expect("logistic_gradient_descent", got, expected, about="after two iterations from 0",
           call=called)  # fmt: skip
    checks.unchanged(called.mutated, checks.Context("logistic_gradient_descent", about="from w"))


@grades("logistic_gradient_descent")
def test_logistic_descent_checks_before_updating(student):
    """logistic_gradient_descent: tol=1e9 stops before the second update: one step"""
    got = student.logistic_regression.logistic_gradient_descent(XS, YS, max_iter=5, tol=1e9)
    expected = (np.array([[1 / 15], [1 / 60]]), 1 / 60)
    expect("logistic_gradient_descent", got, expected, about="with max_iter=5 and tol=1e9",
           call=student.called, step=STOP)  # fmt: skip


STOP = (
    "With tol=1e9 the run stops at the second check, before the second update. Does your check "
    "come before the update, comparing the loss with the previous one (which starts at inf)?"
)
