"""Hostile: make every comparison say "equal", break what the other exercises rely on, then
return wrong answers (off by one)."""

import builtins
import math
import operator
import sys
import types

import _honest_batch_gradient as honest
import _hostile
import numpy as np

_hostile.ran("import")
FUNCTIONS = ("predict", "mse", "gradients", "update", "lr_gradient_descent")
_honest = {name: getattr(honest, name) for name in FUNCTIONS}


def _yes(*args, **kwargs):
    return True


def _all_true(a, *args, **kwargs):
    return np.ones(np.shape(a), dtype=bool)


def _silent(*args, **kwargs):
    return None


def _zero(*args, **kwargs):
    return 0.0


def _wrong(value):
    if type(value) is tuple:
        return tuple(_wrong(v) for v in value)
    return value + 1


# What a grader comparing in the same process would use.
np.allclose = np.array_equal = np.array_equiv = _yes
np.isclose = np.isfinite = _all_true
try:
    import numpy.testing  # may be out of reach in the sandbox (it needs unittest)
except ImportError:
    numpy.testing = types.SimpleNamespace()
for name in ("assert_allclose", "assert_array_equal", "assert_equal", "assert_almost_equal",
             "assert_array_almost_equal", "assert_array_max_ulp"):  # fmt: skip
    setattr(numpy.testing, name, _silent)
sys.modules["numpy.testing"] = types.SimpleNamespace(**{n: _silent for n in dir(numpy.testing)})
math.isclose = operator.eq = _yes
builtins.isinstance = _yes
builtins.abs = lambda x: 0
# What the other exercises' honest code uses: if they shared this process, they would break.
_rng = np.random.default_rng
np.random.default_rng = lambda seed=None: _rng(0)
np.mean = np.sum = np.exp = np.log = _zero
np.clip = lambda a, *args, **kwargs: a


def predict(X, w, b):
    return _wrong(_honest["predict"](X, w, b))


def mse(y_pred, y_true):
    return _wrong(_honest["mse"](y_pred, y_true))


def gradients(X, y, w, b):
    return _wrong(_honest["gradients"](X, y, w, b))


def update(w, b, dw, db, eta):
    return _wrong(_honest["update"](w, b, dw, db, eta))


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    return _wrong(_honest["lr_gradient_descent"](X, y, batch_size, eta, w, b, max_iter, tol, rng))
