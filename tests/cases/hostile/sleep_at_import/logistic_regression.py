"""Hostile: never finishes importing."""

import signal
import time

import _hostile
from _honest_logistic_regression import *  # noqa: F403

_hostile.ran("import")
signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(1000)
