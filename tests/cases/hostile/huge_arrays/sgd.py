"""Hostile: results far too large for the grader to take in."""

import _hostile
import numpy as np

_hostile.ran("import")


def sgd_step(x, y, w, b, eta):
    return np.broadcast_to(np.float64(0.0), (10**6, 10**6)), 0.0


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    return np.ones((3000, 1000)), "0" * (100 << 20)
