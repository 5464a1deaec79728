"""The reference's answers, remembered by their inputs: each is computed once per process.

The reference is deterministic: the same function on the same inputs (a generator's state
included) gives the same answer. `grade batch` grades many submissions in forks of one process
and rehearses the suite against the reference first (`grader.instructor.rehearsal`), so every
fork starts with all the answers it will need and computes none of them again. A single `grade`
fills the memo as it goes and gains little; nothing else changes.

Only answers whose inputs pickle are remembered (arrays, numbers, generators, ...); the key is a
SHA-256 of the pickled call, so two different calls never share an answer. The caller gets a
deep copy, never the remembered object.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
from collections.abc import Callable
from typing import Any

_ANSWERS: dict[bytes, Any] = {}


def answer(name: str, function: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """`function(*args, **kwargs)` on private copies of the inputs, remembered under `name`."""
    key = _key(name, args, kwargs)
    if key is None:
        return function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    if key not in _ANSWERS:
        _ANSWERS[key] = function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    return copy.deepcopy(_ANSWERS[key])


def forget() -> None:
    """Drop every remembered answer (the benchmark measures a grade that starts cold)."""
    _ANSWERS.clear()


def _key(name: str, args: tuple, kwargs: dict) -> bytes | None:
    try:
        pickled = pickle.dumps((name, args, sorted(kwargs.items())), protocol=5)
    except Exception:  # noqa: BLE001 - an input that does not pickle is simply not remembered
        return None
    return hashlib.sha256(pickled).digest()
