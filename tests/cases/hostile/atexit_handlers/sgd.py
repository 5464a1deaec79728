"""Hostile: exit handlers that would forge the report and leave a process behind."""

import atexit
import os
import time

import _hostile

_hostile.ran("import")


@atexit.register
def _forge_and_linger():
    _hostile.ran("atexit")
    _hostile.forge(_hostile.OUTPUT, _hostile.RESULTS, "report.json", "results.json")
    _hostile.sleeper(detach=True)
    _hostile.sleeper(detach=True, clear_env=True)
    time.sleep(1000)


def sgd_step(x, y, w, b, eta):
    atexit._run_exitfuncs()  # what the interpreter does at exit


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    raise SystemExit(os.EX_OK)
