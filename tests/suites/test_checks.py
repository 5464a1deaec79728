"""The checks behind every suite test: what they accept (fairness) and what they say (feedback)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.course import load_course
from grader.suites import checks


class Foreign:
    """Stands in for `grader.sandbox.values.Foreign`: what could not cross as data."""

    def __init__(self, type_name: str, description: str = "") -> None:
        self.type_name, self.description = type_name, description


def message(excinfo: pytest.ExceptionInfo) -> str:
    return str(excinfo.value)


GRADIENTS = ("batch_gradient", "gradients")
DW = np.array([[-6.0], [-12.8 / 3]])


def check_gradients(got, *, reveal=False, expected=(DW, -3.2)):
    return checks.result(*GRADIENTS, got, expected, about="on the first batch", reveal=reveal)


# --- what is accepted --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "db",
    [-3.2, np.float64(-3.2), np.array(-3.2), np.float32(-3.2), -3.2000000000000006],
    ids=["float", "np.float64", "0-d array", "np.float32", "rounding"],
)
def test_any_real_scalar_is_accepted(db):
    dw, value = check_gradients((DW.copy(), db))
    assert isinstance(value, float) and value == pytest.approx(-3.2)


def test_a_list_pair_and_summation_order_noise_are_accepted():
    noisy = DW * (1 + 3e-16)
    check_gradients([noisy, -3.2 * (1 - 2e-16)])


def test_integer_arrays_are_accepted_where_values_match():
    checks.result("batch_gradient", "predict", np.array([[3], [4]]), np.array([[3.0], [4.0]]))


def test_scalars_are_python_ints_too():
    checks.result(
        "batch_gradient", "lr_gradient_descent", (np.ones((2, 1)), 0), (np.ones((2, 1)), 0.0)
    )


def test_sigmoid_of_a_scalar_may_be_any_scalar():
    for got in (0.5, np.float64(0.5), np.array(0.5)):
        checks.result("logistic_regression", "sigmoid", got, np.float64(0.5))


def test_labels_may_be_bool_for_the_values():
    labels = checks.result(
        "logistic_regression", "predict", np.array([[True], [False]]), np.array([[1], [0]])
    )
    assert labels.dtype.kind == "i"


def test_shapes_only_ignores_values():
    checks.result(*GRADIENTS, (DW + 1.0, 7.0), (DW, -3.2), values=False)


# --- what is refused, and what the student reads -----------------------------------------------


def test_none_says_return_is_missing():
    with pytest.raises(checks.Feedback) as e:
        check_gradients(None)
    assert message(e).startswith("gradients on the first batch: returned None")


def test_not_a_pair():
    with pytest.raises(checks.Feedback) as e:
        check_gradients(DW)
    assert "should return a pair (dw, db)" in message(e)
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW, -3.2, 0))
    assert "returned 3 values" in message(e)


def test_foreign_value_names_its_type():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((Foreign("numpy.matrix", "an ndarray subclass"), -3.2))
    assert "numpy.matrix" in message(e) and "plain NumPy array" in message(e)


def test_list_instead_of_array():
    with pytest.raises(checks.Feedback) as e:
        check_gradients(([[-6.0], [-4.27]], -3.2))
    assert "should be a NumPy array of shape (p, 1) = (2, 1)" in message(e)


def test_complex_dtype():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW.astype(complex), -3.2))
    assert "real numbers" in message(e) and "complex128" in message(e)


def test_bool_array_is_not_a_real_array():
    with pytest.raises(checks.Feedback):
        checks.result("batch_gradient", "predict", np.array([[True]]), np.array([[1.0]]))


def test_wrong_shape_says_both_shapes_and_hints_at_broadcasting():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((np.zeros((2, 3)), -3.2))
    text = message(e)
    assert "should have shape (p, 1) = (2, 1), but yours has shape (2, 3)" in text
    assert "broadcasting" in text and "(n,)" in text


def test_flat_vector_hints_at_a_column():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW.ravel(), -3.2))
    assert "column" in message(e)


def test_non_finite_values():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((np.array([[np.nan], [1.0]]), -3.2))
    assert "nan or inf" in message(e)
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW, np.inf))
    assert "not a finite number" in message(e)


@pytest.mark.parametrize("db", [np.array([-3.2]), np.array([[-3.2]])], ids=["(1,)", "(1, 1)"])
def test_one_element_array_is_not_a_scalar(db):
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW, db))
    assert "db should be a single number" in message(e) and str(db.shape) in message(e)


def test_bool_is_not_a_number():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW, True))
    assert "real number" in message(e)


def test_hidden_message_shows_the_students_value_not_the_expected_one():
    with pytest.raises(checks.Feedback) as e:
        check_gradients(
            (DW / 2, -1.6), expected=(np.array([[-6.123]], dtype=float) * [[1], [1]], -3.2)
        )
    text = message(e)
    assert text.startswith("gradients on the first batch: dw is off: yours is [[-3. ], [-2.1333]]")
    assert "-6.123" not in text


def test_public_message_shows_the_expected_value():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW / 2, -1.6), reveal=True)
    assert "dw should be [[-6. ], [-4.2667]], but yours is [[-3. ], [-2.1333]]" in message(e)


def test_wrong_scalar_alone():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW, 3.2))
    assert "db is off: yours is 3.2" in message(e)


def test_every_message_ends_with_a_next_step(monkeypatch):
    monkeypatch.setattr(checks, "DIAGNOSES", [])  # without a diagnosis, the generic next step
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW / 2, -1.6))
    assert "Re-derive Steps 2 and 3" in message(e)


def test_a_recognised_mistake_replaces_the_generic_step_with_a_guiding_question():
    with pytest.raises(checks.Feedback) as e:
        check_gradients((DW / 2, -1.6))
    assert "Re-derive Steps 2 and 3" not in message(e) and "?" in message(e)


def test_labels_count_the_wrong_ones_in_hidden_messages():
    with pytest.raises(checks.Feedback) as e:
        checks.result(
            "logistic_regression", "predict", np.array([[0], [1], [1]]), np.array([[1], [1], [1]])
        )
    assert "1 of the 3 labels are wrong" in message(e)


def test_labels_must_be_zero_or_one():
    with pytest.raises(checks.Feedback) as e:
        checks.result("logistic_regression", "predict", np.array([[2]]), np.array([[1]]))
    assert "0 or 1" in message(e)


@pytest.mark.parametrize("dtype", [bool, float])
def test_integer_labels(dtype):
    ctx = checks.Context("predict")
    checks.integer_labels(np.array([[1], [0]]), ctx)
    with pytest.raises(checks.Feedback) as e:
        checks.integer_labels(np.array([[1], [0]], dtype=dtype), ctx)
    assert "integer array" in message(e)


# --- mutation ----------------------------------------------------------------------------------


def test_unchanged_names_the_argument():
    ctx = checks.Context("update", about="from w = [[1.], [1.]]")
    checks.unchanged((), ctx)
    with pytest.raises(checks.Feedback) as e:
        checks.unchanged(("w",), ctx)
    assert "changed its argument `w` in place" in message(e)


def test_unchanged_maps_positions_and_ignores_the_generator():
    ctx = checks.Context("lr_gradient_descent")
    checks.unchanged(("rng",), ctx)
    with pytest.raises(checks.Feedback) as e:
        checks.unchanged((4, "argument 9"), ctx)
    assert "`w` and `argument 9`" in message(e)


def test_unchanged_names_the_parameters_of_each_module_s_own_predict():
    logistic = checks.Context("predict", call=checks.Call("logistic_regression", "predict"))
    with pytest.raises(checks.Feedback) as e:
        checks.unchanged((3,), logistic)
    assert "`threshold`" in message(e)
    linear = checks.Context("predict", call=checks.Call("batch_gradient", "predict"))
    with pytest.raises(checks.Feedback) as e:
        checks.unchanged((1, 3), linear)  # batch_gradient.predict has no threshold
    assert "`w` and `number 4`" in message(e)
    with pytest.raises(checks.Feedback) as e:
        checks.unchanged((3,), checks.Context("predict"))  # which predict? no guess
    assert "`number 4`" in message(e)


def test_the_tables_come_from_course_toml():
    functions = load_course().functions()
    assert set(checks.RETURNS) == set(checks.PARAMS) == {(m, f.name) for m, f in functions}
    for module, function in functions:
        assert checks.PARAMS[(module, function.name)] == function.signature.names
        spec = checks.RETURNS[(module, function.name)]
        names = (
            (spec.first.name, spec.second.name) if isinstance(spec, checks.Pair) else (spec.name,)
        )
        assert names == tuple(value.name for value in function.returns)
    assert checks.RETURNS[("logistic_regression", "predict")] == checks.Array(
        "the labels", "(n, 1)", labels=True
    )
    assert checks.RETURNS[("batch_gradient", "mse")] == checks.Scalar("the loss")


# --- the diagnosis hook ------------------------------------------------------------------------


def test_a_diagnosis_replaces_the_generic_next_step(monkeypatch):
    def twice(ctx, name, got, expected):
        if np.allclose(np.asarray(got), 2 * np.asarray(expected)):
            return "Your dw is exactly twice the expected one: where could a factor 2 come from?"
        return None

    monkeypatch.setattr(checks, "DIAGNOSES", [twice])
    with pytest.raises(checks.Feedback) as e:
        check_gradients((2 * DW, -3.2))
    assert "exactly twice" in message(e) and "Re-derive" not in message(e)
    call = checks.Call("batch_gradient", "gradients", (1, 2), {"b": 0})
    seen = []
    monkeypatch.setattr(checks, "DIAGNOSES", [lambda ctx, *rest: seen.append(ctx.call)])
    with pytest.raises(checks.Feedback):
        checks.result(*GRADIENTS, (2 * DW, -3.2), (DW, -3.2), call=call)
    assert seen == [call]


def test_a_failing_diagnosis_never_changes_the_verdict(monkeypatch):
    def broken(ctx, name, got, expected):
        raise RuntimeError("the diagnosis itself failed")

    monkeypatch.setattr(checks, "DIAGNOSES", [broken])
    with pytest.raises(checks.Feedback) as e:
        check_gradients((2 * DW, -3.2))
    assert "Re-derive Steps 2 and 3" in message(e)
