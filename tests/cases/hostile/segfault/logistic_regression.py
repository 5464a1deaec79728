"""Hostile: two functions crash the interpreter with a segmentation fault."""

import ctypes

import _hostile
from _honest_logistic_regression import *  # noqa: F403

_hostile.ran("import")


def sigmoid(z):
    return ctypes.string_at(0)  # strlen(NULL)


def predict(X, w, b, threshold=0.5):
    return ctypes.CFUNCTYPE(ctypes.c_int)(0)()  # a call through a NULL function pointer
