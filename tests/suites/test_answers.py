"""The hidden suite's memo of the reference's answers: right answers, never shared by mistake."""

from __future__ import annotations

import numpy as np

from grader.suites.hidden import answers


class Counting:
    """A deterministic function that counts how often it really ran."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, X, rng=None):
        self.calls += 1
        noise = np.random.default_rng(rng).standard_normal(X.shape)
        X += 1.0  # mutates its input: the memo must hand it a private copy
        return {"value": X + noise}


def setup_function():
    answers.forget()


def test_the_same_call_is_computed_once_and_given_as_a_copy():
    f, X = Counting(), np.arange(6.0).reshape(3, 2)
    first = answers.answer("m.f", f, (X,), {"rng": 3})
    first["value"][0, 0] = 1e9  # a caller changing its answer changes nobody else's
    second = answers.answer("m.f", f, (X,), {"rng": 3})
    assert f.calls == 1
    assert second["value"][0, 0] != 1e9
    np.testing.assert_array_equal(X, np.arange(6.0).reshape(3, 2))  # the inputs untouched


def test_different_inputs_names_or_generator_states_are_different_calls():
    f, X = Counting(), np.ones((2, 2))
    rng = np.random.default_rng(0)
    a = answers.answer("m.f", f, (X,), {"rng": rng})
    rng.random()  # the same generator, another state: another answer
    b = answers.answer("m.f", f, (X,), {"rng": rng})
    answers.answer("m.g", f, (X,), {"rng": 0})
    answers.answer("m.f", f, (X + 1e-12,), {"rng": 0})
    answers.answer("m.f", f, (X.astype(np.float32),), {"rng": 0})
    assert f.calls == 5
    assert not np.array_equal(a["value"], b["value"])
    assert np.array_equal(
        a["value"], Counting()(np.ones((2, 2)), np.random.default_rng(0))["value"]
    )


def test_inputs_that_do_not_pickle_are_computed_every_time():
    f = Counting()
    for _ in range(2):
        answers.answer("m.f", lambda X, hook: f(X), (np.ones(2), lambda: 0), {})
    assert f.calls == 2


def test_forget_drops_everything():
    f = Counting()
    answers.answer("m.f", f, (np.ones(2),), {})
    answers.forget()
    answers.answer("m.f", f, (np.ones(2),), {})
    assert f.calls == 2
