"""Exercise stub: batch_gradient (TODO: full course docstrings)."""

from __future__ import annotations

import numpy as np


def predict(X, w, b):
    """Predict `y_hat = X @ w + b` for every row of X, shape (n, 1)."""
    # TODO: your code here
    raise NotImplementedError


def mse(y_pred, y_true):
    """Mean squared error between predictions and targets, a float."""
    # TODO: your code here
    raise NotImplementedError


def gradients(X, y, w, b):
    """Gradients `(dw, db)` of the mean squared error of a batch with respect to w and b."""
    # TODO: your code here
    raise NotImplementedError


def update(w, b, dw, db, eta):
    """One gradient-descent step: `(w - eta * dw, b - eta * db)`, as new objects."""
    # TODO: your code here
    raise NotImplementedError


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    """Mini-batch gradient descent for linear regression; returns the fitted `(w, b)`."""
    # TODO: your code here
    raise NotImplementedError
