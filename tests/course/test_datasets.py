"""The data sets: frozen toy sets, seeded generators, and a classification set with overlap."""

from __future__ import annotations

import numpy as np
import pytest

import solutions.logistic_regression as lr
from grader.datasets import make_classification, make_regression, toy_classification


def overlap_certificate(X, y, iterations=20_000):
    """Weights `lam > 0` with `sum_i lam_i s_i [x_i, 1] = 0` (s_i = +1 or -1), or None.

    Such weights prove that no line separates the classes, not even weakly: for any `(w, b)`,
    `sum_i lam_i s_i (x_i w + b) = 0`, so some observation is on the wrong side unless every
    `x_i w + b` is 0 (Gordan's theorem is the converse). Then the cross-entropy has a finite
    minimiser. They are found by alternating projections between the null space of
    `A^T` (rows of A: `s_i [x_i, 1]`) and the set `{lam >= 1}`, which meet exactly when such
    weights exist.
    """
    X = np.asarray(X, dtype=float)
    signs = 2.0 * np.asarray(y).reshape(-1) - 1.0
    A = signs[:, None] * np.hstack([X, np.ones((len(X), 1))])
    onto_null_space = np.eye(len(X)) - A @ np.linalg.pinv(A)
    lam = np.ones(len(X))
    for _ in range(iterations):
        lam = onto_null_space @ np.maximum(lam, 1.0)
        if lam.min() > 0.5:
            assert np.abs(A.T @ lam).max() < 1e-9 * lam.sum()
            return lam
    return None


def test_toy_classification_shapes_labels_and_fresh_copies():
    X, y = toy_classification()
    assert X.shape == (20, 2) and X.dtype == np.float64
    assert y.shape == (20, 1) and np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y)) == {0, 1} and int(y.sum()) == 13
    X[0, 0], y[0, 0] = 99.0, 7
    X_again, y_again = toy_classification()
    assert X_again[0, 0] == 0.0 and y_again[0, 0] == 1


def test_toy_classification_is_what_its_docstring_says_it_was_made_from():
    """The frozen literals are `make_classification(n=20, p=2, seed=7)` with X rounded to 2 places.

    If this fails after a NumPy upgrade, NumPy's random stream changed: the frozen set stays (that
    is why it is frozen) and only the provenance in the docstring needs a note.
    """
    X, y = toy_classification()
    X_made, y_made, _, _ = make_classification(n=20, p=2, seed=7)
    np.testing.assert_array_equal(X, np.round(X_made, 2))
    np.testing.assert_array_equal(y, y_made)


def test_toy_classification_is_not_linearly_separable():
    X, y = toy_classification()
    assert np.linalg.matrix_rank(np.hstack([X, np.ones((20, 1))])) == 3
    lam = overlap_certificate(X, y)
    assert lam is not None and lam.min() > 0


def test_the_certificate_is_never_found_for_separable_data():
    """The check above can fail: relabel the toy set by a line and no certificate exists."""
    X, _ = toy_classification()
    by_a_line = (X[:, 0] + 0.5 * X[:, 1] > -0.4).astype(int)
    assert 0 < by_a_line.sum() < 20
    assert overlap_certificate(X, by_a_line, iterations=2_000) is None


def test_on_the_toy_set_logistic_gd_settles_at_a_finite_minimiser():
    """Overlap keeps the loss above a positive floor and the weights bounded; separable data not."""
    X, y = toy_classification()
    fits = {
        labels_name: [
            lr.logistic_gradient_descent(X, labels, eta=1.0, max_iter=k, tol=0.0)
            for k in (1_000, 4_000)
        ]
        for labels_name, labels in (
            ("toy", y),
            ("separable", (X[:, 0] + 0.5 * X[:, 1] > -0.4).astype(int)),
        )
    }
    (w_early, b_early), (w_late, b_late) = fits["toy"]
    assert np.abs(w_late - w_early).max() < 1e-6 and abs(b_late - b_early) < 1e-6
    assert lr.bce(lr.predict_proba(X, w_late, b_late), y) == pytest.approx(0.406, abs=5e-4)
    # The minimiser quoted in the docstring of toy_classification.
    np.testing.assert_allclose(w_late, [[1.70], [1.44]], atol=0.005)
    assert b_late == pytest.approx(2.34, abs=0.005)
    (w_early, _), (w_late, _) = fits["separable"]
    assert np.linalg.norm(w_late) > np.linalg.norm(w_early) + 2.0


@pytest.mark.parametrize("seed", range(20))
def test_generated_classification_sets_of_the_default_size_overlap(seed):
    X, y, _, _ = make_classification(seed=seed)
    assert overlap_certificate(X, y) is not None


def test_make_classification_is_seeded_and_fresh():
    X, y, w_true, b_true = make_classification(n=50, p=3, seed=5)
    assert X.shape == (50, 3) and y.shape == (50, 1) and w_true.shape == (3, 1)
    assert set(np.unique(y)) <= {0, 1} and isinstance(b_true, float)
    again = make_classification(n=50, p=3, seed=5)
    np.testing.assert_array_equal(again[0], X)
    np.testing.assert_array_equal(again[1], y)
    assert not np.array_equal(make_classification(n=50, p=3, seed=6)[0], X)


def test_make_regression_is_seeded_and_follows_its_model():
    X, y, w_true, b_true = make_regression(n=400, p=3, noise=0.1, seed=5)
    assert X.shape == (400, 3) and y.shape == (400, 1) and w_true.shape == (3, 1)
    assert np.all(np.abs(w_true) <= 2) and abs(b_true) <= 2
    residual = y - (X @ w_true + b_true)
    assert 0.08 < residual.std() < 0.12
    np.testing.assert_array_equal(make_regression(n=400, p=3, noise=0.1, seed=5)[1], y)
    assert not np.array_equal(make_regression(n=400, p=3, noise=0.1, seed=6)[1], y)
