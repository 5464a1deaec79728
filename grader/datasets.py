"""The data sets of the course: the toy sets of the notes and seeded synthetic generators.

Students and the test suites use this one module, so everybody trains on the same numbers::

    from grader.datasets import toy_regression
    X, y = toy_regression()          # X (12, 2), y (12, 1)

Every function returns fresh arrays: changing them never changes what the next call returns.
"""

from __future__ import annotations

import numpy as np

#: The true parameters of the toy regression set of the notes.
TOY_W_TRUE = ((1.5,), (1.5,))
TOY_B_TRUE = 0.1

_TOY_X = (
    (1, 2), (3, 1), (1, 1), (0, 1), (2, 2), (-2, 3),
    (1, 2), (-1, -0.5), (0.5, 1.2), (2, 1), (-2, 3), (-1, 1),
)  # fmt: skip


def toy_regression() -> tuple[np.ndarray, np.ndarray]:
    """The 12 observations of the notes: `X` (12, 2) and `y = X @ [[1.5], [1.5]] + 0.1` (12, 1)."""
    X = np.array(_TOY_X, dtype=float)
    y = X @ np.array(TOY_W_TRUE) + TOY_B_TRUE
    return X, y


# Made with `make_classification(n=20, p=2, seed=7)` below, rounded to two decimals and frozen
# here so that it never changes with NumPy's version. The labels were drawn from the logistic
# model itself (not thresholded), so some points sit on the "wrong" side of every line: the set
# is not linearly separable, and the cross-entropy has a finite minimiser.
_TOY_CLASSIFICATION = None  # filled in below, see _make_toy_classification


def toy_classification() -> tuple[np.ndarray, np.ndarray]:
    """A small two-feature classification set that is not linearly separable: `X` (20, 2), `y` (20, 1) of 0/1."""
    X, y = _toy_classification_arrays()
    return X.copy(), y.copy()


def make_regression(
    n: int = 100, p: int = 3, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A seeded linear-regression set: `(X (n, p), y (n, 1), w_true (p, 1), b_true)`.

    `X` is standard normal, `w_true` and `b_true` are drawn uniformly from [-2, 2], and
    `y = X @ w_true + b_true + noise * N(0, 1)`. The same seed always gives the same set.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w_true = rng.uniform(-2.0, 2.0, size=(p, 1))
    b_true = float(rng.uniform(-2.0, 2.0))
    y = X @ w_true + b_true + noise * rng.standard_normal((n, 1))
    return X, y, w_true, b_true


def make_classification(
    n: int = 100, p: int = 2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A seeded logistic-regression set: `(X (n, p), y (n, 1) of 0/1, w_true (p, 1), b_true)`.

    `X` is standard normal, `w_true` and `b_true` are drawn uniformly from [-2, 2], and each
    label is 1 with probability `sigmoid(x @ w_true + b_true)`. Because labels are drawn rather
    than thresholded, a set of more than a handful of points is almost never linearly separable.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w_true = rng.uniform(-2.0, 2.0, size=(p, 1))
    b_true = float(rng.uniform(-2.0, 2.0))
    z = X @ w_true + b_true
    probability = np.exp(-np.logaddexp(0.0, -z))
    y = (rng.random((n, 1)) < probability).astype(int)
    return X, y, w_true, b_true


def _toy_classification_arrays() -> tuple[np.ndarray, np.ndarray]:
    X, y, _, _ = make_classification(n=20, p=2, seed=7)
    return np.round(X, 2), y
