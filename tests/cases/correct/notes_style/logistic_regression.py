"""A correct submission: a logaddexp sigmoid, in-place updates on a private copy of w."""

import numpy as np


def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def predict_proba(X, w, b):
    return sigmoid(X @ w + b)


def bce(p, y, eps=1e-12):
    p = np.clip(np.ravel(p), eps, 1 - eps)
    y = np.ravel(y)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def logistic_gradients(X, y, w, b):
    N = X.shape[0]
    residual = predict_proba(X, w, b) - y.reshape(-1, 1)
    return X.T @ residual / N, np.mean(residual)


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    p = X.shape[1]
    w = np.zeros((p, 1)) if w is None else np.array(w, dtype=float)
    b = 0.0 if b is None else b
    prev_loss = np.inf
    for _ in range(max_iter):
        loss = bce(predict_proba(X, w, b), y)
        if np.abs(loss - prev_loss) < tol:
            return w, b
        prev_loss = loss
        dw, db = logistic_gradients(X, y, w, b)
        w -= eta * dw
        b -= eta * db
    return w, b


def predict(X, w, b, threshold=0.5):
    return (predict_proba(X, w, b) >= threshold) * 1
