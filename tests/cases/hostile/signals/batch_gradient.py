"""Hostile: three functions end or freeze their own process with a signal."""

import os
import signal

import _hostile
from _honest_batch_gradient import *  # noqa: F403

_hostile.ran("import")


def predict(X, w, b):
    os.abort()


def mse(y_pred, y_true):
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def update(w, b, dw, db, eta):
    os.kill(os.getpid(), signal.SIGSTOP)
