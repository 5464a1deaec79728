"""Hostile: two functions crash the interpreter with a segmentation fault."""

import ctypes
import sys

import _hostile
from _honest_logistic_regression import *  # noqa: F403

_hostile.ran("import")


def sigmoid(z):
    return ctypes.string_at(0)  # strlen(NULL)


def predict(X, w, b, threshold=0.5):
    sys.setrecursionlimit(1 << 30)
    nested = []
    for _ in range(1_000_000):
        nested = [nested]
    return repr(nested)  # C recursion a million levels deep
