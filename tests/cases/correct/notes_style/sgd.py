"""A correct submission close to the notes' code: in-place updates on a private copy of w."""

import numpy as np


def sgd_step(x, y, w, b, eta):
    x = np.reshape(x, (1, -1))
    y = np.reshape(y, (1, 1))
    residual = x @ w + b - y
    new_w = np.array(w, dtype=float)
    new_w -= eta * 2 * x.T @ residual
    return new_w, b - eta * 2 * residual.sum()


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    rng = np.random.default_rng(rng)
    N, p = X.shape
    y = y.reshape(-1, 1)
    w = np.ones((p, 1)) if w is None else np.array(w, dtype=float)
    b = 0.0 if b is None else b
    prev_error = np.inf
    for _iteration in range(max_iter):
        indices = rng.permutation(N)
        for i in indices:
            residual = X[i] @ w[:, 0] + b - y[i, 0]
            error = residual**2
            if np.abs(error - prev_error) < tol:
                return w, b
            prev_error = error
            w -= eta * 2 * residual * X[i].reshape(-1, 1)
            b -= eta * 2 * residual
    return w, b
