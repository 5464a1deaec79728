"""Hostile: a fork bomb, bounded so that a test machine without limits survives it too."""

import os
import time

import _hostile
from _honest_sgd import sgd_step  # noqa: F401

_hostile.ran("import")
LEVELS, CHILDREN = 3, 8  # at most 8 + 64 + 512 processes even without RLIMIT_NPROC


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    level = 0
    while level < LEVELS:
        for _ in range(CHILDREN):
            try:
                if os.fork() == 0:
                    level += 1
                    break
            except OSError:
                _hostile.note("fork-refused", str(os.getpid()))
        else:
            break
    while True:
        time.sleep(1)
