"""Hostile: kill the parent, the grader and everything else; then answer (sgd_step) or die."""

import os
import signal

import _hostile
from _honest_sgd import sgd_step as _honest_sgd_step

_hostile.ran("import")


def _spree():
    me = os.getpid()
    targets = {os.getppid(): "parent", **{pid: "grader" for pid in _hostile.grading_processes()}}
    for pid, who in targets.items():
        try:
            theirs = os.stat(f"/proc/{pid}").st_uid != os.getuid()
        except OSError:
            continue
        if pid == me:
            continue
        for sig in (signal.SIGSTOP, signal.SIGTERM, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                continue
            # Our own user's processes (the workers of this submission's other modules) may be
            # signalled: a submission can harm only itself. Anybody else's, never.
            if theirs:
                _hostile.leak(f"signalled-{who}", f"{sig.name} to {pid}")
            else:
                _hostile.note(f"signalled-own-{who}", f"{sig.name} to {pid}")
    try:
        os.kill(-1, signal.SIGKILL)  # every process we may signal, but ourselves
    except OSError:
        pass


def sgd_step(x, y, w, b, eta):
    _spree()
    return _honest_sgd_step(x, y, w, b, eta)


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    _spree()
    os.killpg(os.getpgid(0), signal.SIGKILL)  # our whole group, led by our parent, and us
