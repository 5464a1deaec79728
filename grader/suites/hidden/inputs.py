"""Seeded inputs of the hidden suite: every test builds its data here, from a seed it names.

Values are kept in ranges where gradient descent is well conditioned (no divergence, no
overflow), so that two correct implementations agree to rounding on every result.
"""

from __future__ import annotations

import numpy as np

from grader.datasets import make_classification, make_regression


def linear(n: int, p: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A batch `(X (n, p), y (n, 1), w (p, 1), b)` with a non-trivial w and b to evaluate at."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = rng.standard_normal((n, 1)) * 2.0
    w = rng.uniform(-1.5, 1.5, size=(p, 1))
    b = float(rng.uniform(-1.0, 1.0))
    return X, y, w, b


def regression(n: int, p: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A training set `(X (n, p), y (n, 1))` from `grader.datasets.make_regression`."""
    X, y, _, _ = make_regression(n=n, p=p, noise=0.1, seed=seed)
    return X, y


def logistic(n: int, p: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A batch `(X (n, p), y (n, 1) of 0/1, w (p, 1), b)` to evaluate logistic functions at."""
    X, y, _, _ = make_classification(n=n, p=p, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    w = rng.uniform(-1.0, 1.0, size=(p, 1))
    b = float(rng.uniform(-0.5, 0.5))
    return X, y, w, b


def classification(n: int, p: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A training set `(X (n, p), y (n, 1) of 0/1)` from `grader.datasets.make_classification`."""
    X, y, _, _ = make_classification(n=n, p=p, seed=seed)
    return X, y
