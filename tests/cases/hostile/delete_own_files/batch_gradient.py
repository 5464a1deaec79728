"""Hostile: delete every file it can see, its own modules first; answer honestly."""

import os
import shutil

import _hostile
from _honest_batch_gradient import *  # noqa: F403

_hostile.ran("import")
for folder in (".", _hostile.ORIGINAL):
    try:
        names = os.listdir(folder)
    except OSError as e:  # the folder being graded is out of reach (filesystem confinement)
        _hostile.note("not-listed", f"{folder}: {e!r}")
        names = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
            _hostile.note("deleted", path)
        except OSError as e:
            _hostile.note("not-deleted", f"{path}: {e!r}")
