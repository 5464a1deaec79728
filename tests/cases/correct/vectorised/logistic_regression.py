"""A correct submission, vectorised differently: tanh sigmoid, 1 - p clipped apart, np.where."""

import numpy as np


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def predict_proba(X, w, b):
    return sigmoid(np.dot(X, w) + b)


def bce(p, y, eps=1e-12):
    p = np.asarray(p, dtype=float).reshape(-1, 1)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    log_p = np.log(np.clip(p, eps, 1 - eps))
    log_q = np.log(np.clip(1 - p, eps, 1 - eps))
    return -np.mean(y * log_p + (1 - y) * log_q)


def logistic_gradients(X, y, w, b):
    N = len(X)
    error = predict_proba(X, w, b) - np.reshape(y, (N, 1))
    return (1 / N) * np.dot(X.T, error), (1 / N) * np.sum(error)


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    y = np.reshape(y, (-1, 1))
    w = np.zeros((X.shape[1], 1)) if w is None else np.array(w, dtype=float)
    b = np.float64(0.0) if b is None else np.float64(b)
    previous = np.inf
    for _ in range(max_iter):
        loss = bce(predict_proba(X, w, b), y)
        if np.abs(loss - previous) < tol:
            return w, b
        previous = loss
        dw, db = logistic_gradients(X, y, w, b)
        w, b = w - eta * dw, b - eta * db
    return w, b


def predict(X, w, b, threshold=0.5):
    return np.where(predict_proba(X, w, b) >= threshold, 1, 0)
