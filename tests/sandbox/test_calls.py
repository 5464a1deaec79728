"""Ordinary calls through the sandbox: values cross exactly, mutations and output are reported."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.sandbox.errors import FunctionMissing, ModuleMissing, StudentException
from grader.sandbox.values import Foreign

IDENTITY = """
def identity(*args, **kwargs):
    return args, kwargs
"""


def test_values_round_trip_exactly(sandbox):
    values = (
        np.arange(6.0).reshape(3, 2),
        np.asfortranarray(np.arange(6).reshape(2, 3)),
        np.array(2.5),
        np.zeros((0, 3)),
        np.array([True, False]),
        np.array([1, 2], dtype=np.int8),
        np.float32(1.5),
        np.int64(-3),
        np.bool_(True),
        7,
        2**100,
        -0.0,
        math.inf,
        1 + 2j,
        None,
        True,
        "text",
        (1, (2.0, [3, {"k": None}])),
    )
    box = sandbox(m=IDENTITY)
    args, kwargs = box.call("m", "identity", *values, key=np.ones(2)).value
    assert len(args) == len(values) and list(kwargs) == ["key"]
    for got, sent in zip(args, values, strict=True):
        assert type(got) is type(sent)
        if isinstance(sent, np.ndarray):
            assert got.dtype == sent.dtype and got.shape == sent.shape
            assert got.flags.f_contiguous == sent.flags.f_contiguous
            assert np.array_equal(got, sent)
        else:
            assert got == sent or (got != got and sent != sent)
    assert math.copysign(1, args[11]) == -1
    assert type(kwargs["key"]) is np.ndarray


def test_nan_crosses_as_nan(sandbox):
    box = sandbox(m=IDENTITY)
    (a, x), _ = box.call("m", "identity", np.array([np.nan, 1.0]), math.nan).value
    assert np.isnan(a[0]) and math.isnan(x)


@pytest.mark.parametrize("bit_generator", ["PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"])
def test_a_generator_draws_the_same_numbers_and_advances_like_in_process(sandbox, bit_generator):
    box = sandbox(
        m="""
        def draw(X, rng):
            return rng.permutation(len(X)), rng.random(3)
        """
    )
    rng = np.random.Generator(getattr(np.random, bit_generator)(2024))
    twin = np.random.Generator(getattr(np.random, bit_generator)(2024))
    order, numbers = box.call("m", "draw", np.zeros((10, 2)), rng=rng).value
    assert np.array_equal(order, twin.permutation(10))
    assert np.array_equal(numbers, twin.random(3))
    assert rng.random() == twin.random()  # our Generator moved on exactly as the worker's did


def test_output_is_captured_per_call_including_raw_file_descriptors(sandbox):
    box = sandbox(
        m="""
        import os, sys
        print("importing")

        def talk(n):
            print("hello", n)
            print("oops", file=sys.stderr)
            os.write(1, b"raw\\n")
            return n

        def from_c():
            import ctypes
            ctypes.CDLL(None).printf(b"printf\\n")
        """
    )
    first = box.call("m", "talk", 1)
    assert first.output.splitlines() == ["importing", "hello 1", "oops", "raw"]
    assert box.call("m", "talk", 2).output.splitlines() == ["hello 2", "oops", "raw"]
    assert first.value == 1 and first.seconds > 0
    assert box.call("m", "from_c").output == "printf\n"


def test_values_that_are_not_data_arrive_as_foreign(sandbox):
    box = sandbox(
        m="""
        import numpy as np

        class Sub(np.ndarray):
            pass

        class Liar:
            def __eq__(self, other):
                return True
            def __array_ufunc__(self, *args, **kwargs):
                return True

        def subclass():
            return np.zeros((2, 1)).view(Sub)

        def liar():
            return Liar(), np.matrix([[1.0]]), np.array([Liar()], dtype=object)

        def huge():
            return np.zeros(3 << 20)  # 24 MiB, above what crosses

        def many():
            return [np.zeros(1 << 20) for _ in range(3)]  # 8 MiB each: 2 cross, not 3

        def long_text():
            return "x" * (20 << 20)

        def gen():
            return (i for i in range(3))
        """
    )
    sub = box.call("m", "subclass").value
    assert isinstance(sub, Foreign) and sub.type_name == "m.Sub" and "(2, 1)" in sub.description
    liar, matrix, objects = box.call("m", "liar").value
    assert isinstance(liar, Foreign) and liar.type_name == "m.Liar"
    assert isinstance(matrix, Foreign) and matrix.type_name == "numpy.matrix"
    assert isinstance(objects, Foreign) and "objects" in objects.description
    assert isinstance(box.call("m", "huge").value, Foreign)
    assert [type(v) for v in box.call("m", "many").value] == [np.ndarray, np.ndarray, Foreign]
    assert isinstance(box.call("m", "long_text").value, Foreign)
    assert isinstance(box.call("m", "gen").value, Foreign)


def test_tuple_and_list_subclasses_cross_as_plain_containers(sandbox):
    box = sandbox(
        m="""
        from collections import namedtuple
        Fit = namedtuple("Fit", "w b")

        def fit():
            return Fit([1.0], 2.0)
        """
    )
    value = box.call("m", "fit").value
    assert type(value) is tuple and value == ([1.0], 2.0)


def test_floating_point_warnings_are_errors_even_if_the_module_silences_numpy(sandbox):
    box = sandbox(
        m="""
        import numpy as np
        np.seterr(all="ignore")

        def naive_sigmoid(z):
            return 1 / (1 + np.exp(-z))

        def careful(z):
            with np.errstate(over="ignore"):
                return 1 / (1 + np.exp(-z))
        """
    )
    with pytest.raises(StudentException) as caught:
        box.call("m", "naive_sigmoid", np.array([-1000.0]))
    assert caught.value.type_name == "RuntimeWarning" and "overflow" in str(caught.value)
    assert box.call("m", "careful", np.array([-1000.0])).value[0] == 0.0


def test_missing_module_and_function_are_reported(sandbox):
    box = sandbox(
        m="""
        answer = 42
        """
    )
    with pytest.raises(ModuleMissing, match="no file sgd.py"):
        box.call("sgd", "sgd")
    with pytest.raises(FunctionMissing, match="`predict` is not defined"):
        box.call("m", "predict")
    with pytest.raises(FunctionMissing, match="not a function"):
        box.call("m", "answer")


def test_an_exception_shows_the_students_traceback_without_grader_paths(sandbox):
    box = sandbox(
        helper="""
        def divide(a, b):
            return a / b
        """,
        m="""
        from helper import divide

        def ratio(x):
            return divide(x, 0)
        """,
    )
    with pytest.raises(StudentException) as caught:
        box.call("m", "ratio", 1)
    error = caught.value
    assert error.type_name == "ZeroDivisionError"
    assert 'File "m.py", line 5, in ratio' in error.traceback
    assert 'File "helper.py", line 3, in divide' in error.traceback
    message = error.student_message()
    for secret in ("gd-sandbox", "child.py", "grader/sandbox", "/tmp/"):
        assert secret not in message
