"""Reference solution to exercise 3: batch gradient descent for logistic regression."""

from __future__ import annotations

import numpy as np


def _column(a) -> np.ndarray:
    """Return `a` as a float column `(n, 1)`."""
    return np.asarray(a, dtype=float).reshape(-1, 1)


def sigmoid(z):
    """The logistic function `1 / (1 + exp(-z))`, elementwise and overflow-free."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    positive = z >= 0
    # exp of a non-positive number never overflows: use exp(-z) where z >= 0, exp(z) elsewhere.
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out[()] if out.ndim == 0 else out


def predict_proba(X, w, b):
    """Probabilities `sigmoid(X @ w + b)` of the class 1, shape (n, 1)."""
    return sigmoid(np.asarray(X, dtype=float) @ _column(w) + float(b))


def bce(p, y, eps=1e-12):
    """Mean binary cross-entropy of probabilities `p` against labels `y`, a float."""
    p = np.clip(_column(p), eps, 1.0 - eps)
    y = _column(y)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)))


def logistic_gradients(X, y, w, b):
    """Gradients `(dw, db)` of the mean cross-entropy with respect to w and b."""
    X = np.asarray(X, dtype=float)
    n = len(X)
    residual = predict_proba(X, w, b) - _column(y)
    return (X.T @ residual) / n, float(np.sum(residual)) / n


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    """Full-batch gradient descent for logistic regression; returns the fitted `(w, b)`."""
    X = np.asarray(X, dtype=float)
    y = _column(y)
    p = X.shape[1]
    w = np.zeros((p, 1)) if w is None else _column(w).copy()
    b = 0.0 if b is None else float(b)
    previous_loss = np.inf
    for _ in range(max_iter):
        loss = bce(predict_proba(X, w, b), y)
        if abs(loss - previous_loss) < tol:
            return w, b
        previous_loss = loss
        dw, db = logistic_gradients(X, y, w, b)
        w, b = w - eta * dw, b - eta * db
    return w, b


def predict(X, w, b, threshold=0.5):
    """Class labels 0/1, shape (n, 1): 1 where `predict_proba >= threshold`."""
    return (predict_proba(X, w, b) >= threshold).astype(int)
