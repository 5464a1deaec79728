"""Hostile: find the reference solutions on disk and answer with them."""

import os
import sys
import time

import numpy

import _hostile

_hostile.ran("import")

WANTED = {"batch_gradient.py", "variants.py", "test_batch_gradient.py", "conftest.py"}
SIGNS = (b"def lr_gradient_descent", b"def descend", b"lr_gradient_descent")  # stubs excepted
SKIP = {"/proc", "/sys", "/dev", "/usr/share", "/usr/include", "/var/cache", "/var/lib"}
BUDGET = 2.5  # seconds; the grader allows 4 per call


def _roots():
    roots = []
    for arg in sys.argv[:1] + [numpy.__file__]:
        path = os.path.abspath(arg)
        for _ in range(6):
            path = os.path.dirname(path)
            roots.append(path)
    return roots + ["/autograder", "/tmp", "/var/tmp", "/dev/shm", "/work", "/opt", "/srv",
                    "/home", "/root", "/"]  # fmt: skip


def _search():
    """Paths of readable files, outside our own folder, that look like the reference."""
    mine = {os.getcwd(), os.path.realpath(_hostile.ORIGINAL)}
    deadline = time.monotonic() + BUDGET
    seen, found = set(), []
    for root in _roots():
        for folder, dirs, files in os.walk(root):
            if time.monotonic() > deadline:
                return found
            if folder in seen or folder in mine or folder in SKIP:
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


def lr_gradient_descent(X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-8,
                        rng=None):
    return _answer("lr_gradient_descent", X, y, batch_size, eta, w, b, max_iter, tol, rng)
