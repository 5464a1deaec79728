"""A correct submission in loop style: Python arithmetic on one observation at a time."""

import numpy as np


def sgd_step(x, y, w, b, eta):
    xs = [float(v) for v in np.asarray(x).ravel()]
    target = float(np.asarray(y).ravel()[0])
    weights = [float(v) for v in np.asarray(w).ravel()]
    y_hat = b
    for xi, wi in zip(xs, weights, strict=True):
        y_hat += xi * wi
    r = y_hat - target
    new_w = np.array([[wi - eta * 2 * r * xi] for xi, wi in zip(xs, weights, strict=True)])
    return new_w, b - eta * 2 * r


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    rng = np.random.default_rng(rng)
    X = np.asarray(X, dtype=float)
    targets = np.asarray(y, dtype=float).ravel()
    n, p = X.shape
    w = np.ones((p, 1)) if w is None else np.array(w, dtype=float).reshape(p, 1)
    b = 0.0 if b is None else b
    previous = np.inf
    for _ in range(max_iter):
        order = np.arange(n)
        rng.shuffle(order)
        for i in order:
            r = b - targets[i]
            for j in range(p):
                r += X[i, j] * w[j, 0]
            loss = r * r
            if abs(loss - previous) < tol:
                return w, b
            previous = loss
            w, b = sgd_step(X[i], targets[i], w, b, eta)
    return w, b
