"""The data sets of the course: the toy sets of the notes and seeded synthetic generators.

Students and the test suites use this one module, so everybody trains on the same numbers::

    from grader.datasets import toy_regression, toy_classification
    X, y = toy_regression()          # exercises 1 and 2: X (12, 2), y (12, 1)
    X, y = toy_classification()      # exercise 3: X (20, 2), y (20, 1) of 0/1

`make_regression` and `make_classification` draw larger sets of any size from a seed.
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


# Drawn once with `make_classification(n=20, p=2, seed=7)` (below; its true parameters are about
# w = [[1.52], [0.04]], b = 1.39), X rounded to two decimals, then frozen here as literals so that
# the set never changes with NumPy's version. One row per observation: (x1, x2, label).
_TOY_CLASSIFICATION = (
    ( 0.00,  0.30, 1),
    (-0.27, -0.89, 0),
    (-0.45, -0.99, 1),
    ( 0.06,  1.34, 1),
    (-0.49, -0.62, 1),
    ( 0.49,  0.36, 1),
    ( 0.11, -0.93, 1),
    (-0.03,  0.70, 1),
    (-1.34, -0.46, 1),
    (-1.90, -1.29, 0),
    (-1.84, -0.24, 0),
    (-1.27,  0.27, 1),
    ( 0.16, -0.19, 1),
    (-2.52, -0.54, 0),
    (-0.05,  0.11, 0),
    (-1.53, -0.48, 0),
    (-0.98, -0.81, 0),
    ( 1.06, -0.81, 1),
    (-0.03,  0.88, 1),
    (-0.58, -0.11, 1),
)  # fmt: skip


def toy_classification() -> tuple[np.ndarray, np.ndarray]:
    """A small classification set for exercise 3: `X` (20, 2) of floats, `y` (20, 1) of 0/1 ints.

    It was drawn once with `make_classification(n=20, p=2, seed=7)`, rounded to two decimals and
    written into this file, so it is the same on every machine and every NumPy version. 13 labels
    are 1 and 7 are 0.

    Its labels were drawn from the logistic model rather than by cutting the plane with a line, so
    the two classes overlap and no line separates them: for example the label-0 point
    (-0.05, 0.11) lies inside the triangle of the label-1 points (0.00, 0.30), (-0.49, -0.62) and
    (0.49, 0.36). That is why the mean cross-entropy has a finite minimiser (near
    `w = [[1.70], [1.44]]`, `b = 2.34`, loss 0.406), which gradient descent approaches instead of
    growing `w` for ever. The project's tests prove the overlap with a certificate.
    """
    data = np.array(_TOY_CLASSIFICATION, dtype=float)
    return data[:, :2].copy(), data[:, 2:].astype(int)


def make_regression(
    n: int = 100, p: int = 3, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A seeded linear-regression set: `(X (n, p), y (n, 1), w_true (p, 1), b_true)`.

    `X` is standard normal, `w_true` and `b_true` are drawn uniformly from [-2, 2], and
    `y = X @ w_true + b_true + noise * N(0, 1)`. The same seed gives the same set (NumPy keeps
    these random streams stable in practice but does not promise it across versions, which is
    why the toy sets are written out as literals instead).
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
    than thresholded, the classes overlap in sets of the default size (the tests check seeds 0 to
    19 with n = 100). A small set can still be linearly separable (n = 20 with seed 12 has a single
    label 1), and then the cross-entropy has no finite minimiser: `w` grows for ever.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w_true = rng.uniform(-2.0, 2.0, size=(p, 1))
    b_true = float(rng.uniform(-2.0, 2.0))
    z = X @ w_true + b_true
    probability = np.exp(-np.logaddexp(0.0, -z))
    y = (rng.random((n, 1)) < probability).astype(int)
    return X, y, w_true, b_true
