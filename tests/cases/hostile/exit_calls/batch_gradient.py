"""Hostile: three functions end the process in three ways; the others are the reference's."""

import os
import sys
import threading

import _hostile
from _honest_batch_gradient import *  # noqa: F403

_hostile.ran("import")


def predict(X, w, b):
    sys.exit(0)


def mse(y_pred, y_true):
    os._exit(0)


def update(w, b, dw, db, eta):
    thread = threading.Thread(target=os._exit, args=(0,))
    thread.start()
    thread.join()
