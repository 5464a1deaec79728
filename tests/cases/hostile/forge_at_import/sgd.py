"""Hostile: forge the score report wherever a report may be read from."""

import os

import _hostile

_hostile.ran("import")

_folder = os.path.dirname(_hostile.OUTPUT)
for _path in _hostile.forge(_hostile.OUTPUT, os.path.join(_folder, "results.json"),
                            _hostile.RESULTS, "report.json", os.path.join(_hostile.ORIGINAL,
                            "report.json")):  # fmt: skip
    _hostile.note("forged", _path)
    if _path != _hostile.OUTPUT and os.path.dirname(_path) == _folder:
        _hostile.note("outside", _path)  # beside the report: must not outlive the grading


def sgd_step(x, y, w, b, eta):
    return None


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    return None
