"""Hostile: drown the grader in output, then answer honestly."""

import os

import _hostile
from _honest_batch_gradient import *  # noqa: F403
from _honest_batch_gradient import mse as _honest_mse
from _honest_batch_gradient import predict as _honest_predict

_hostile.ran("import")
LINE = "x" * (1 << 20)
for _ in range(50):
    print(LINE)
FLOODED = {}


def predict(X, w, b):
    if "predict" not in FLOODED:  # once per worker: 200 MB per call would be slow to test
        FLOODED["predict"] = True
        for _ in range(200):
            print(LINE)
    return _honest_predict(X, w, b)


def mse(y_pred, y_true):
    if "mse" not in FLOODED:
        FLOODED["mse"] = True
        for _ in range(100):
            os.write(2, LINE.encode())
    return _honest_mse(y_pred, y_true)
