"""Hostile: make every comparison say "equal", then return wrong answers (off by one)."""

import builtins
import math
import operator
import sys
import types

import _honest_logistic_regression as honest
import _hostile
import numpy as np

_hostile.ran("import")


def _yes(*args, **kwargs):
    return True


def _all_true(a, *args, **kwargs):
    return np.ones(np.shape(a), dtype=bool)


def _silent(*args, **kwargs):
    return None


def _wrong(value):
    if type(value) is tuple:
        return tuple(_wrong(v) for v in value)
    return value + 1


_honest = {name: getattr(honest, name) for name in
           ("sigmoid", "predict_proba", "bce", "logistic_gradients", "logistic_gradient_descent",
            "predict")}  # fmt: skip

np.allclose = np.array_equal = np.array_equiv = _yes
np.isclose = np.isfinite = _all_true
try:
    import numpy.testing  # may be out of reach in the sandbox (it needs unittest)
except ImportError:
    numpy.testing = types.SimpleNamespace()
for name in ("assert_allclose", "assert_array_equal", "assert_equal", "assert_almost_equal",
             "assert_array_almost_equal", "assert_array_max_ulp"):  # fmt: skip
    setattr(numpy.testing, name, _silent)
math.isclose = operator.eq = _yes
sys.modules["numpy.testing"] = types.SimpleNamespace(**{n: _silent for n in dir(numpy.testing)})
builtins.isinstance = _yes
builtins.abs = lambda x: 0
builtins.len = lambda x: 2


def sigmoid(z):
    return _wrong(_honest["sigmoid"](z))


def predict_proba(X, w, b):
    return _wrong(_honest["predict_proba"](X, w, b))


def bce(p, y, eps=1e-12):
    return _wrong(_honest["bce"](p, y, eps))


def logistic_gradients(X, y, w, b):
    return _wrong(_honest["logistic_gradients"](X, y, w, b))


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    return _wrong(_honest["logistic_gradient_descent"](X, y, eta, w, b, max_iter, tol))


def predict(X, w, b, threshold=0.5):
    return _wrong(_honest["predict"](X, w, b, threshold))
