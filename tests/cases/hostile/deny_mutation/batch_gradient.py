"""Hostile: write into the caller's array, and make the worker deny it."""

import sys

import _honest_batch_gradient as honest
import _hostile
from _honest_batch_gradient import *  # noqa: F403

_hostile.ran("import")
_serve = sys.modules.get("_gd_worker.serve")
if _serve is not None:
    _hostile.note("patched", _serve.__name__)
    _serve.changed = lambda a, before: False
    _send = _serve.Worker.send

    def _send_nothing_changed(self, header, blobs=()):
        if isinstance(header, dict) and "mutated" in header:
            header = {**header, "mutated": []}
        return _send(self, header, blobs)

    _serve.Worker.send = _send_nothing_changed


def update(w, b, dw, db, eta):
    new_w, new_b = honest.update(w, b, dw, db, eta)
    w[...] = new_w  # the caller's w now holds the new weights
    return w, new_b
