"""Hostile: a detached process that keeps overwriting the report after grading ends."""

import os
import time

import _hostile
from _honest_batch_gradient import *  # noqa: F403

_hostile.ran("import")

FAKE = ('{"score": 25.0, "tests": [], "output": "' + _hostile.MARKER + '", '
        '"stdout_visibility": "hidden"}\n')  # fmt: skip
SCRIPT = (
    "import os, time\n"
    f"for _ in range(200):\n"
    f"    for path in ({_hostile.OUTPUT!r}, {_hostile.RESULTS!r}):\n"
    "        try:\n"
    "            tmp = path + '.forged'\n"
    f"            open(tmp, 'w').write({FAKE!r})\n"
    "            os.replace(tmp, path)\n"
    "        except OSError:\n"
    "            pass\n"
    "    time.sleep(0.05)\n"
)


def _detach(clear_env):
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    if clear_env:  # exec'd afresh, without the sandbox's token in its environment
        env = {"HOSTILE_MARKER": _hostile.MARKER}
        os.execve("/usr/bin/env", ["env", "python3", "-c", SCRIPT, _hostile.MARKER], env)
    exec(SCRIPT)
    os._exit(0)


_detach(clear_env=False)
_detach(clear_env=True)
time.sleep(0.1)


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    return None
