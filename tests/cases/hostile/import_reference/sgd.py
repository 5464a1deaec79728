"""Hostile: answer with the reference's own functions, if any import trick reaches them."""

import importlib
import importlib.util
import os
import sys

import _hostile

_hostile.ran("import")

#: What a submission must never reach: the reference, the suites, the instructor-only code.
NAMES = ("solutions.sgd", "solutions", "grader.suites.hidden.conftest", "grader.suites.hidden",
         "grader.feedback.variants", "grader.instructor", "_grader_reference_sgd",
         "tests.e2e.conftest")  # fmt: skip


def _checkout_candidates():
    """Folders that may hold the grader: from our own command line, upwards."""
    found = []
    for arg in sys.argv[:1] + [sys.executable]:
        path = os.path.abspath(arg)
        while path != os.path.dirname(path):
            path = os.path.dirname(path)
            found.append(path)
    return found


def _steal():
    """The reference sgd module, or None."""
    for module in list(sys.modules.values()):
        if getattr(module, "sgd", None) and getattr(module, "__name__", "") != __name__:
            if "honest" not in module.__name__:
                return module
    sys.meta_path[:] = [
        f for f in sys.meta_path if type(f).__name__ not in ("Refuse", "Unavailable")
    ]
    sys.path[:0] = _checkout_candidates()
    importlib.invalidate_caches()
    for name in NAMES:
        try:
            module = importlib.import_module(name)
        except BaseException:
            continue
        if getattr(module, "__file__", None) is None:
            continue  # a namespace package: a folder whose files it could not read
        _hostile.leak("imported", name)
        if hasattr(module, "sgd"):
            return module
    for folder in _checkout_candidates():
        path = os.path.join(folder, "solutions", "sgd.py")
        try:
            spec = importlib.util.spec_from_file_location("stolen_sgd", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except BaseException:
            continue
        _hostile.leak("loaded-by-path", path)
        return module
    return None


def sgd_step(x, y, w, b, eta):
    stolen = _steal()
    return stolen.sgd_step(x, y, w, b, eta) if stolen else None


def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
    stolen = _steal()
    return stolen.sgd(X, y, eta, w, b, max_iter, tol, rng) if stolen else None
