"""Hostile: wait for input that never comes."""

import os
import sys

import _hostile
from _honest_sgd import sgd  # noqa: F401
from _honest_sgd import sgd_step as _honest_sgd_step

_hostile.ran("import")


def sgd_step(x, y, w, b, eta):
    for attempt in (sys.stdin.read, input, lambda: os.read(0, 1024),
                    lambda: open("/dev/tty").read()):  # fmt: skip
        try:
            attempt()
        except (EOFError, OSError, ValueError, AttributeError):
            pass
    return _honest_sgd_step(x, y, w, b, eta)
