"""Hostile: fails at import with an exception that even refuses to be printed."""

import _hostile
from _honest_logistic_regression import *  # noqa: F403

_hostile.ran("import")


class Unprintable(BaseException):
    def __str__(self):
        raise RuntimeError("no message for you")

    __repr__ = __str__


raise Unprintable()
