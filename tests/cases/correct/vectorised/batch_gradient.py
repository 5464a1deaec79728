"""A correct submission, vectorised differently: np.dot, reshape(len(y), 1), NumPy scalars."""

import math

import numpy as np


def predict(X, w, b):
    return np.dot(X, np.reshape(w, (-1, 1))) + b


def mse(y_pred, y_true):
    y_pred = np.reshape(y_pred, (-1, 1))
    y_true = np.reshape(y_true, (-1, 1))
    return np.mean(np.square(y_pred - y_true))  # a NumPy float, not a Python float


def gradients(X, y, w, b):
    N = X.shape[0]
    error = predict(X, w, b) - np.reshape(y, (N, 1))
    dw = (2 / N) * np.dot(X.T, error)
    db = (2 / N) * error.sum()
    return dw, db


def update(w, b, dw, db, eta):
    return w - eta * np.asarray(dw), np.asarray(b - eta * db)  # b as a 0-d array


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-08, rng=None
):
    N, p = X.shape
    y = np.reshape(y, (N, 1))
    rng = np.random.default_rng(rng)
    w = np.ones((p, 1)) if w is None else np.array(w, dtype=np.float64)
    b = 0.0 if b is None else b
    prev_error = np.inf
    batch_size = min(N, batch_size)
    num_batches = math.ceil(N / batch_size)
    for _iteration in range(max_iter):
        indices = rng.permutation(N)
        X_shuffled, y_shuffled = X[indices], y[indices]
        for batch in range(num_batches):
            start = batch * batch_size
            end = start + batch_size
            X_batch, y_batch = X_shuffled[start:end], y_shuffled[start:end]
            y_hat = X_batch @ w + b
            error = mse(y_hat.squeeze(), y_batch.squeeze())
            if np.abs(error - prev_error) < tol:
                return w, b
            prev_error = error
            dw, db = gradients(X_batch, y_batch, w, b)
            w = w - eta * dw
            b = b - eta * db
    return w, b
