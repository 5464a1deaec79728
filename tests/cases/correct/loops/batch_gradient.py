"""A correct submission in loop style: Python loops and Python floats, rng.shuffle of an index."""

import numpy as np


def _values(a):
    return [float(v) for v in np.asarray(a).ravel()]


def predict(X, w, b):
    X = np.asarray(X)
    weights = _values(w)
    out = np.zeros((X.shape[0], 1))
    for i in range(X.shape[0]):
        total = float(b)
        for j in range(X.shape[1]):
            total += float(X[i, j]) * weights[j]
        out[i, 0] = total
    return out


def mse(y_pred, y_true):
    predictions, targets = _values(y_pred), _values(y_true)
    total = 0.0
    for u, v in zip(predictions, targets, strict=True):
        total += (u - v) ** 2
    return total / len(predictions)


def gradients(X, y, w, b):
    X = np.asarray(X, dtype=float)
    targets = _values(y)
    n, p = X.shape
    y_hat = predict(X, w, b)
    dw = np.zeros((p, 1))
    db = 0.0
    for i in range(n):
        r = y_hat[i, 0] - targets[i]
        for j in range(p):
            dw[j, 0] += 2 * r * X[i, j] / n
        db += 2 * r / n
    return dw, db


def update(w, b, dw, db, eta):
    weights, steps = _values(w), _values(dw)
    new_w = np.zeros((len(weights), 1))
    for j in range(len(weights)):
        new_w[j, 0] = weights[j] - eta * steps[j]
    return new_w, b - eta * db


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    rng = np.random.default_rng(rng)
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    n, p = X.shape
    if w is None:
        w = np.ones((p, 1))
    if b is None:
        b = 0
    previous = float("inf")
    for _epoch in range(max_iter):
        index = np.arange(n)
        rng.shuffle(index)
        start = 0
        while start < n:
            batch = index[start : start + batch_size]
            start += batch_size
            loss = mse(predict(X[batch], w, b), y[batch])
            if abs(loss - previous) < tol:
                return w, b
            previous = loss
            dw, db = gradients(X[batch], y[batch], w, b)
            w, b = update(w, b, dw, db, eta)
    if not isinstance(w, np.ndarray) or w.dtype.kind != "f":
        w = np.array(w, dtype=float)
    return w, b
