"""A correct submission in loop style: math.exp on one number at a time."""

import math

import numpy as np


def sigmoid(z):
    if np.ndim(z) == 0:
        z = float(z)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)
    z = np.asarray(z, dtype=float)
    out = np.empty(z.shape)
    for index in np.ndindex(z.shape):
        out[index] = sigmoid(z[index])
    return out


def predict_proba(X, w, b):
    X = np.asarray(X, dtype=float)
    weights = np.asarray(w, dtype=float).ravel()
    out = np.zeros((X.shape[0], 1))
    for i in range(X.shape[0]):
        z = float(b)
        for j in range(X.shape[1]):
            z += X[i, j] * weights[j]
        out[i, 0] = sigmoid(z)
    return out


def bce(p, y, eps=1e-12):
    ps = [float(v) for v in np.asarray(p).ravel()]
    ys = [float(v) for v in np.asarray(y).ravel()]
    total = 0.0
    for pi, yi in zip(ps, ys, strict=True):
        pi = min(max(pi, eps), 1 - eps)
        total += yi * math.log(pi) + (1 - yi) * math.log(1 - pi)
    return -total / len(ps)


def logistic_gradients(X, y, w, b):
    X = np.asarray(X, dtype=float)
    ys = [float(v) for v in np.asarray(y).ravel()]
    n, p = X.shape
    probabilities = predict_proba(X, w, b)
    dw = np.zeros((p, 1))
    db = 0.0
    for i in range(n):
        r = probabilities[i, 0] - ys[i]
        for j in range(p):
            dw[j, 0] += X[i, j] * r
        db += r
    return dw / n, db / n


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    w = np.zeros((p, 1)) if w is None else np.array(w, dtype=float).reshape(p, 1)
    b = 0.0 if b is None else float(b)
    previous = math.inf
    iteration = 0
    while iteration < max_iter:
        loss = bce(predict_proba(X, w, b), y)
        if abs(loss - previous) < tol:
            break
        previous = loss
        dw, db = logistic_gradients(X, y, w, b)
        w = w - eta * dw
        b = b - eta * db
        iteration += 1
    return w, b


def predict(X, w, b, threshold=0.5):
    probabilities = predict_proba(X, w, b)
    labels = np.zeros(probabilities.shape, dtype=int)
    for i in range(probabilities.shape[0]):
        if probabilities[i, 0] >= threshold:
            labels[i, 0] = 1
    return labels
