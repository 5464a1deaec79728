"""Hostile: the honest numbers, dressed in dtypes the contract does not accept, or NaN/inf."""

import _honest_batch_gradient as honest
import _hostile
import numpy as np

_hostile.ran("import")


def predict(X, w, b):
    return honest.predict(X, w, b).astype(object)


def mse(y_pred, y_true):
    return complex(honest.mse(y_pred, y_true))


def gradients(X, y, w, b):
    dw, db = honest.gradients(X, y, w, b)
    return dw.astype(complex), np.complex128(db)


def update(w, b, dw, db, eta):
    w, b = honest.update(w, b, dw, db, eta)
    return w.astype(bool), np.bool_(b)


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    w, b = honest.lr_gradient_descent(X, y, batch_size, eta, w, b, max_iter, tol, rng)
    return w * np.nan, np.inf
