"""A correct submission: a sigmoid of z clipped to [-500, 500], int32 labels, no helpers shared."""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def predict_proba(X, w, b):
    return sigmoid(np.matmul(X, w) + b)


def bce(p, y, eps=1e-12):
    p = np.clip(np.reshape(p, (-1, 1)), eps, 1 - eps)
    y = np.reshape(y, (-1, 1))
    return float(np.mean(-y * np.log(p) - (1 - y) * np.log1p(-p)))


def logistic_gradients(X, y, w, b):
    residual = predict_proba(X, w, b) - np.reshape(y, (-1, 1))
    return np.matmul(np.transpose(X), residual) / len(X), float(np.mean(residual))


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    w = np.zeros((np.shape(X)[1], 1)) if w is None else np.asarray(w)
    b = 0.0 if b is None else b
    previous = np.inf
    for _ in range(max_iter):
        loss = bce(predict_proba(X, w, b), y)
        if abs(loss - previous) < tol:
            break
        previous = loss
        dw, db = logistic_gradients(X, y, w, b)
        w, b = w - eta * dw, b - eta * db
    return w, b


def predict(X, w, b, threshold=0.5):
    return (predict_proba(X, w, b) >= threshold).astype(np.int32)
