"""Reference solution to exercise 2: stochastic gradient descent on the toy data of the notes."""

from __future__ import annotations

import numpy as np


def _column(a) -> np.ndarray:
    """Return `a` as a float column `(n, 1)`."""
    return np.asarray(a, dtype=float).reshape(-1, 1)


def _step(x_row, y_one, w, b, eta):
    """Loss and updated `(w, b)` for one observation `x_row (1, p)`, `y_one (1, 1)`."""
    residual = x_row @ w + b - y_one
    loss = float(residual[0, 0] ** 2)
    w = w - eta * (2.0 * (x_row.T @ residual))
    b = b - eta * 2.0 * float(residual[0, 0])
    return loss, w, b


def sgd_step(x, y, w, b, eta):
    """One stochastic gradient step on a single observation; returns the new `(w, b)`."""
    x_row = np.asarray(x, dtype=float).reshape(1, -1)
    y_one = np.asarray(y, dtype=float).reshape(1, 1)
    _, w, b = _step(x_row, y_one, _column(w), float(b), eta)
    return w, b


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    """Stochastic gradient descent for linear regression; returns the fitted `(w, b)`."""
    X = np.asarray(X, dtype=float)
    y = _column(y)
    n, p = X.shape
    rng = np.random.default_rng(rng)
    w = np.ones((p, 1)) if w is None else _column(w).copy()
    b = 0.0 if b is None else float(b)
    previous_loss = np.inf
    for _ in range(max_iter):
        for i in rng.permutation(n):
            x_row, y_one = X[i : i + 1], y[i : i + 1]
            residual = float((x_row @ w)[0, 0] + b - y_one[0, 0])
            loss = residual**2
            if abs(loss - previous_loss) < tol:
                return w, b
            previous_loss = loss
            _, w, b = _step(x_row, y_one, w, b, eta)
    return w, b
