"""Hostile: results that claim to equal whatever they are compared with."""

import _hostile
import numpy as np

_hostile.ran("import")


class Anything:
    """Equal to everything, close to everything, an array of anything you like."""

    __array_priority__ = 1e9

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __array__(self, dtype=None, copy=None):
        return np.zeros((2, 1))

    def __float__(self):
        return 0.0

    def __len__(self):
        return 2

    def __getitem__(self, index):
        return self

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return True

    def __bool__(self):
        return True


class AnyFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0


class LyingPair(tuple):
    """Holds junk, but says it holds whatever the grader hopes for."""

    def __iter__(self):
        return iter((Anything(), AnyFloat(0.0)))

    def __getitem__(self, index):
        return Anything()

    def __len__(self):
        return 2

    def __eq__(self, other):
        return True

    __hash__ = tuple.__hash__


def predict(X, w, b):
    return Anything()


def mse(y_pred, y_true):
    return AnyFloat(-1.0)


def gradients(X, y, w, b):
    return LyingPair(("junk", None))


def update(w, b, dw, db, eta):
    itself = [AnyFloat(0.0)]
    itself.append(itself)
    return itself


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    return LyingPair((Anything(), AnyFloat(0.0)))
