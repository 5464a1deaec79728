"""Hostile: allocate far more memory than any machine grading it should give."""

import _hostile
import numpy as np
from _honest_logistic_regression import *  # noqa: F403
from _honest_logistic_regression import predict as _honest_predict

_hostile.ran("import")


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    hog = np.ones((50_000, 50_000))  # 20 GB, every page written
    return hog[:2, :1], 0.0


def predict(X, w, b, threshold=0.5):
    for size in (3 << 30, 80 << 30):
        try:
            bytearray(size)
            _hostile.note("allocated", str(size))
        except MemoryError:
            pass
    return _honest_predict(X, w, b, threshold)
