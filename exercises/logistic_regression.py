"""Exercise stub: logistic_regression (TODO: full course docstrings)."""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """The logistic function `1 / (1 + exp(-z))`, elementwise and overflow-free."""
    # TODO: your code here
    raise NotImplementedError


def predict_proba(X, w, b):
    """Probabilities `sigmoid(X @ w + b)` of the class 1, shape (n, 1)."""
    # TODO: your code here
    raise NotImplementedError


def bce(p, y, eps=1e-12):
    """Mean binary cross-entropy of probabilities `p` against labels `y`, a float."""
    # TODO: your code here
    raise NotImplementedError


def logistic_gradients(X, y, w, b):
    """Gradients `(dw, db)` of the mean cross-entropy with respect to w and b."""
    # TODO: your code here
    raise NotImplementedError


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    """Full-batch gradient descent for logistic regression; returns the fitted `(w, b)`."""
    # TODO: your code here
    raise NotImplementedError


def predict(X, w, b, threshold=0.5):
    """Class labels 0/1, shape (n, 1): 1 where `predict_proba >= threshold`."""
    # TODO: your code here
    raise NotImplementedError
