"""Hostile: look through the worker's objects and frames for anything of the grader's."""

import gc
import sys
import types

import _hostile

_hostile.ran("import")

FUNCTIONS = ("sigmoid", "predict_proba", "bce", "logistic_gradients", "logistic_gradient_descent",
             "predict")  # fmt: skip
SUSPECT_NAMES = ("expected", "ref", "reference", "agree", "solutions")
#: The submission's own modules (the worker may hold them too): not what this case hunts for.
OWN_MODULES = (__name__, "batch_gradient", "sgd", "_honest_logistic_regression")


def _found(what, detail):
    _hostile.leak(what, detail)


def _hunt():
    """A namespace with the reference's logistic functions, if the worker holds one."""
    for name, module in list(sys.modules.items()):
        if name.startswith(("solutions", "_grader_reference", "grader.suites")):
            _found("module", name)
            return vars(module)
    for obj in gc.get_objects():
        if isinstance(obj, types.FunctionType) and obj.__name__ in FUNCTIONS:
            if obj.__module__ not in OWN_MODULES:
                _found("function", f"{obj.__module__}.{obj.__qualname__}")
                return obj.__globals__
    frames = list(sys._current_frames().values())
    frame = sys._getframe()
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    for frame in frames:
        names = set(frame.f_locals) | set(frame.f_globals)
        hits = [n for n in names if n in SUSPECT_NAMES]
        if hits:
            _found("frame-variable", f"{frame.f_code.co_filename}: {hits}")
    return None


def _answer(name, *args):
    stolen = _hunt()
    return stolen[name](*args) if stolen and name in stolen else None


def sigmoid(z):
    return _answer("sigmoid", z)


def predict_proba(X, w, b):
    return _answer("predict_proba", X, w, b)


def bce(p, y, eps=1e-12):
    return _answer("bce", p, y, eps)


def logistic_gradients(X, y, w, b):
    return _answer("logistic_gradients", X, y, w, b)


def logistic_gradient_descent(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-8):
    return _answer("logistic_gradient_descent", X, y, eta, w, b, max_iter, tol)


def predict(X, w, b, threshold=0.5):
    return _answer("predict", X, w, b, threshold)
