"""Hostile: arrays of zeros that claim, through every NumPy protocol, to be the right answer."""

import _hostile
import numpy as np

_hostile.ran("import")


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    __hash__ = None

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return True

    def __array_function__(self, func, types, args, kwargs):
        return True


class ArrayLike:
    """Not an ndarray, but speaks every protocol NumPy listens to."""

    def __init__(self, shape):
        self._data = np.zeros(shape)
        self.__array_interface__ = self._data.__array_interface__
        self.shape, self.dtype = self._data.shape, self._data.dtype

    def __array__(self, dtype=None, copy=None):
        return self._data

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return True

    def __array_function__(self, func, types, args, kwargs):
        return True

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class AnyFloat64(np.float64):
    def __eq__(self, other):
        return True

    __hash__ = np.float64.__hash__


def _lie(shape):
    return np.zeros(shape).view(LyingArray)


def sigmoid(z):
    return _lie(np.shape(z))


def predict_proba(X, w, b):
    return ArrayLike((len(X), 1))


def bce(p, y, eps=1e-12):
    return AnyFloat64(-1.0)


def logistic_gradients(X, y, w, b):
    shape = (np.shape(X)[1], 1)
    try:
        dw = np.memmap("dw.bin", dtype=float, mode="w+", shape=shape)
    except ImportError:  # NumPy's memmap needs mmap, which the sandbox may not offer
        dw = _lie(shape)
    return dw, AnyFloat64(0.0)


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    return np.matrix(np.zeros((np.shape(X)[1], 1))), AnyFloat64(0.0)


def predict(X, w, b, threshold=0.5):
    return np.ma.masked_all((len(X), 1), dtype=int)
