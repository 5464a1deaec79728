"""Exercise stub: sgd (TODO: full course docstrings)."""

from __future__ import annotations

import numpy as np


def sgd_step(x, y, w, b, eta):
    """One stochastic gradient step on a single observation; returns the new `(w, b)`."""
    # TODO: your code here
    raise NotImplementedError


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    """Stochastic gradient descent for linear regression; returns the fitted `(w, b)`."""
    # TODO: your code here
    raise NotImplementedError
