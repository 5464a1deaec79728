"""A correct submission that permutes the stacked data [X | y] with rng.permutation(data)."""

import numpy as np


def sgd_step(x, y, w, b, eta):
    x = np.ravel(x).astype(float)
    residual = float(x @ np.ravel(w)) + b - np.ravel(y)[0]
    return np.reshape(w, (-1, 1)) - 2 * eta * residual * x[:, None], b - 2 * eta * residual


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    rng = np.random.default_rng(rng)
    n, p = np.shape(X)
    data = np.column_stack([X, np.ravel(y)]).astype(float)
    w = np.ones((p, 1)) if w is None else np.reshape(w, (p, 1))
    b = 0.0 if b is None else b
    previous = np.inf
    for _ in range(max_iter):
        for row in rng.permutation(data):
            x, target = row[:p], row[p]
            loss = (float(x @ w[:, 0]) + b - target) ** 2
            if abs(loss - previous) < tol:
                return w, b
            previous = loss
            w, b = sgd_step(x, target, w, b, eta)
    return w, b
