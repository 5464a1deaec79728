"""Hostile: read a world-readable copy of the reference left elsewhere, and answer with it."""

import glob
import os

import _hostile

_hostile.ran("import")

# Where the test planted them (`plant = true`): what a student who globs the disk would find.
PLANTED = os.path.join("@ROOT@", "planted")
PATTERNS = ("*/solutions/sgd.py", "*/*/solutions/sgd.py", "*/*/*/*/*/solutions/sgd.py")
STOLEN = {}


def _steal():
    if "done" not in STOLEN:
        STOLEN["done"] = True
        for pattern in PATTERNS:
            for path in glob.glob(os.path.join(PLANTED, pattern)):
                try:
                    with open(path) as f:
                        code = f.read()
                except OSError:
                    continue
                _hostile.leak("read-planted-copy", path)
                namespace = {"__name__": "stolen"}
                exec(compile(code, path, "exec"), namespace)
                STOLEN["stolen"] = namespace
    return STOLEN.get("stolen")


def sgd_step(x, y, w, b, eta):
    stolen = _steal()
    return stolen["sgd_step"](x, y, w, b, eta) if stolen else None


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    stolen = _steal()
    return stolen["sgd"](X, y, eta, w, b, max_iter, tol, rng) if stolen else None
