"""Reference solution to exercise 1: the gradient of a batch, and mini-batch gradient descent."""

from __future__ import annotations

import numpy as np


def _column(a) -> np.ndarray:
    """Return `a` as a float column `(n, 1)`; `(n,)` and `(n, 1)` inputs give the same result."""
    return np.asarray(a, dtype=float).reshape(-1, 1)


def predict(X, w, b):
    """Predict `y_hat = X @ w + b` for every row of X, shape (n, 1)."""
    return np.asarray(X, dtype=float) @ _column(w) + float(b)


def mse(y_pred, y_true):
    """Mean squared error between predictions and targets, a float."""
    return float(np.mean((_column(y_pred) - _column(y_true)) ** 2))


def gradients(X, y, w, b):
    """Gradients `(dw, db)` of the mean squared error of a batch with respect to w and b."""
    X = np.asarray(X, dtype=float)
    n = len(X)
    residual = predict(X, w, b) - _column(y)
    dw = 2.0 / n * (X.T @ residual)
    db = 2.0 / n * float(np.sum(residual))
    return dw, db


def update(w, b, dw, db, eta):
    """One gradient-descent step: `(w - eta * dw, b - eta * db)`, as new objects."""
    return _column(w) - eta * _column(dw), float(b) - eta * float(db)


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    """Mini-batch gradient descent for linear regression; returns the fitted `(w, b)`."""
    X = np.asarray(X, dtype=float)
    y = _column(y)
    n, p = X.shape
    rng = np.random.default_rng(rng)
    w = np.ones((p, 1)) if w is None else _column(w).copy()
    b = 0.0 if b is None else float(b)
    batch_size = min(n, batch_size)
    previous_loss = np.inf
    for _ in range(max_iter):
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            X_batch, y_batch = X[batch], y[batch]
            loss = mse(predict(X_batch, w, b), y_batch)
            if abs(loss - previous_loss) < tol:
                return w, b
            previous_loss = loss
            dw, db = gradients(X_batch, y_batch, w, b)
            w, b = update(w, b, dw, db, eta)
    return w, b
