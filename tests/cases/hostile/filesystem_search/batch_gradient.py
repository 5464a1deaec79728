"""Hostile: find the reference solutions on disk and answer with them."""

import os
import sys
import time

import _hostile
import numpy

_hostile.ran("import")

WANTED = {"batch_gradient.py", "variants.py", "test_batch_gradient.py", "conftest.py"}
SIGNS = (b"def lr_gradient_descent", b"def descend", b"lr_gradient_descent")  # stubs excepted
BUDGET = 1.0  # seconds; the grader allows 2 per call


def _roots():
    """Where the grader keeps or leaves things: its checkout or installation (found from the
    worker's own command line), the Python it runs, /autograder, and the scratch of other
    gradings in /tmp (world-readable copies elsewhere: the `planted_copies` case)."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[0])))  # .../grader
    roots = [os.path.dirname(package), sys.prefix, os.path.dirname(os.path.dirname(numpy.__file__))]
    try:
        names = os.listdir("/tmp")
        roots += [os.path.join("/tmp", n) for n in names if n.startswith("gd-autograder-")]
    except OSError:
        pass  # not even /tmp can be listed: confined
    return roots + ["/autograder"]


def _search():
    """Paths of readable files, outside our own folder, that look like the reference."""
    mine = {os.getcwd(), os.path.realpath(_hostile.ORIGINAL)}
    deadline = time.monotonic() + BUDGET
    seen, found = set(), []
    for root in _roots():
        for folder, dirs, files in os.walk(root):
            if time.monotonic() > deadline:
                return found
            if folder in seen or folder in mine:
                dirs[:] = []
                continue
            seen.add(folder)
            for name in files:
                if name in WANTED or (name.startswith("batch_gradient") and name.endswith(".pyc")):
                    path = os.path.join(folder, name)
                    try:
                        with open(path, "rb") as f:
                            data = f.read()
                    except OSError:
                        continue
                    if any(s in data for s in SIGNS) and b"NotImplementedError" not in data:
                        found.append(path)
    return found


STOLEN = {}


def _steal():
    if "done" not in STOLEN:
        STOLEN["done"] = True
        for path in _search():
            _hostile.leak("read-reference", path)
            if path.endswith("batch_gradient.py") and "stolen" not in STOLEN:
                namespace = {"__name__": "stolen"}
                try:
                    exec(compile(open(path).read(), path, "exec"), namespace)
                    STOLEN["stolen"] = namespace
                except BaseException:
                    pass
    return STOLEN.get("stolen")


def _answer(name, *args):
    stolen = _steal()
    return stolen[name](*args) if stolen else None


def predict(X, w, b):
    return _answer("predict", X, w, b)


def mse(y_pred, y_true):
    return _answer("mse", y_pred, y_true)


def gradients(X, y, w, b):
    return _answer("gradients", X, y, w, b)


def update(w, b, dw, db, eta):
    return _answer("update", w, b, dw, db, eta)


def lr_gradient_descent(
    X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8, rng=None
):
    return _answer("lr_gradient_descent", X, y, batch_size, eta, w, b, max_iter, tol, rng)
