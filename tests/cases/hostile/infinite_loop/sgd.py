"""Hostile: a loop that nothing but SIGKILL can end."""

import signal

import _hostile
from _honest_sgd import sgd  # noqa: F401

_hostile.ran("import")


def sgd_step(x, y, w, b, eta):
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM, signal.SIGUSR1):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
