"""Hostile: occupy the report's path with a folder holding a forged report."""

import os

import _hostile
from _honest_sgd import sgd_step  # noqa: F401

_hostile.ran("import")

try:
    os.mkdir(_hostile.OUTPUT)
    _hostile.forge(os.path.join(_hostile.OUTPUT, "report.json"))
    _hostile.note("planted", _hostile.OUTPUT)
except OSError as e:
    _hostile.note("not-planted", repr(e))
_decoy = os.path.join(os.path.dirname(_hostile.OUTPUT), "decoy.json")
if _hostile.forge(_decoy):
    _hostile.note("outside", _decoy)  # must not outlive the grading
for _name in ("report.json.tmp", ".report.json.tmp", "results.json"):
    _link = os.path.join(os.path.dirname(_hostile.OUTPUT), _name)
    try:
        os.symlink(_decoy, _link)
        _hostile.note("outside", _link)
    except OSError:
        pass


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    return None
