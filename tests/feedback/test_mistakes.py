"""Each relation-only mistake is recognised from a deliberately wrong implementation.

The wrong implementations below are what students write; the reference gives the expected
value. These detectors must work without a reference (`reference=None`), as in the public suite.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.course import REQUIRED, load_course
from grader.datasets import toy_regression
from grader.feedback import diagnoses
from grader.feedback.diagnoses import Case, explain, identify

X, Y = toy_regression()
W0 = np.array([[1], [1]])
RNG = np.random.default_rng(3)
XR, YR = RNG.standard_normal((7, 3)), RNG.standard_normal((7, 1))
WR, BR = RNG.standard_normal((3, 1)), 0.4


def col(a):
    return np.asarray(a, dtype=float).reshape(-1, 1)


# --- wrong implementations ------------------------------------------------------------------


def gradients_factor(k):
    def gradients(X, y, w, b):
        r = X @ w + b - col(y)
        return k / len(X) * X.T @ r, k / len(X) * float(np.sum(r))

    return gradients


def gradients_sign(X, y, w, b):
    r = col(y) - (X @ w + b)
    return 2 / len(X) * X.T @ r, 2 / len(X) * float(np.sum(r))


def gradients_broadcast(X, y, w, b):
    r = X @ w + b - y  # y (n,) makes r (n, n)
    return 2 / len(X) * X.T @ r, 2 / len(X) * float(np.sum(r))


def gradients_sum(X, y, w, b):
    r = X @ w + b - col(y)
    return 2 * X.T @ r, 2 * float(np.sum(r))


def gradients_by_features(X, y, w, b):
    r = X @ w + b - col(y)
    p = X.shape[1]
    return 2 / p * X.T @ r, 2 / p * float(np.sum(r))


def gradients_flat(X, y, w, b):
    dw, db = gradients_factor(2)(X, y, w, b)
    return dw.ravel(), db


def gradients_row(X, y, w, b):
    r = X @ w + b - col(y)
    return 2 / len(X) * r.T @ X, 2 / len(X) * float(np.sum(r))


def gradients_db_array(X, y, w, b):
    r = X @ w + b - col(y)
    return 2 / len(X) * X.T @ r, 2 / len(X) * r.sum(axis=0, keepdims=True)


def logistic_gradients_factor(k):
    def logistic_gradients(X, y, w, b):
        r = 1 / (1 + np.exp(-(X @ w + b))) - col(y)
        return k / len(X) * X.T @ r, k / len(X) * float(np.sum(r))

    return logistic_gradients


def update_uphill(w, b, dw, db, eta):
    return w + eta * dw, b + eta * db


def update_b_frozen(w, b, dw, db, eta):
    return w - eta * dw, b


def update_no_eta(w, b, dw, db, eta):
    return w - dw, b - db


def update_in_place(w, b, dw, db, eta):
    w -= eta * dw
    return w, b - eta * db


def update_integer(w, b, dw, db, eta):
    new = np.zeros_like(w)  # an integer array when w is
    new[:] = w - eta * dw
    return new, b - eta * db


def sgd_step_factor(k):
    def sgd_step(x, y, w, b, eta):
        x = np.asarray(x, float).reshape(1, -1)
        r = float((x @ w)[0, 0] + b - np.ravel(y)[0])
        return w - eta * k * x.T * r, b - eta * k * r

    return sgd_step


def sgd_step_uphill(x, y, w, b, eta):
    x = np.asarray(x, float).reshape(1, -1)
    r = float((x @ w)[0, 0] + b - np.ravel(y)[0])
    return w + eta * 2 * x.T * r, b + eta * 2 * r


def sgd_step_b_frozen(x, y, w, b, eta):
    x = np.asarray(x, float).reshape(1, -1)
    r = float((x @ w)[0, 0] + b - np.ravel(y)[0])
    return w - eta * 2 * x.T * r, b


def mse_broadcast(y_pred, y_true):
    return float(np.mean((y_pred - y_true) ** 2))


def mse_sum(y_pred, y_true):
    return float(np.sum((col(y_pred) - col(y_true)) ** 2))


def mse_root(y_pred, y_true):
    return float(np.sqrt(np.mean((col(y_pred) - col(y_true)) ** 2)))


def predict_no_b(X, w, b):
    return X @ w


def bce_unclipped(p, y, eps=1e-12):
    p, y = col(p), col(y)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_negative(p, y, eps=1e-12):
    p, y = np.clip(col(p), eps, 1 - eps), col(y)
    return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def bce_broadcast(p, y, eps=1e-12):
    p = np.clip(p, eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def sigmoid_naive(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


def sigmoid_flipped(z):
    return 1 / (1 + np.exp(np.asarray(z, dtype=float)))


def sigmoid_other_naive(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / (1 + e)


def predict_labels(compare, dtype=int, use_b=True, fixed=None):
    def predict(X, w, b, threshold=0.5):
        p = 1 / (1 + np.exp(-(X @ w + (b if use_b else 0))))
        return compare(p, threshold if fixed is None else fixed).astype(dtype)

    return predict


# --- the cases ------------------------------------------------------------------------------

LOGISTIC_X = np.array([[0.5, -1.0], [2.0, 0.3], [-1.0, 1.5], [0.1, 0.2]])
LOGISTIC_Y = np.array([[1], [0], [1], [1]])
# Row 0 has z = 0 exactly: its probability is exactly the threshold 0.5.
THRESHOLD_X = np.array([[1.0, 1.0], [2.0, -1.0], [-3.0, 0.5], [0.5, 0.25]])
THRESHOLD_W, THRESHOLD_B = np.array([[1.0], [2.0]]), -3.0

CASES = [
    # (id, function, wrong, args, kwargs, expected key)
    ("dw twice", "gradients", gradients_factor(4), (X[:3], Y[:3], W0, 0), {},
     "gradient twice too large"),
    ("dw half", "gradients", gradients_factor(1), (XR, YR, WR, BR), {}, "factor 2 missing"),
    ("dw sign", "gradients", gradients_sign, (XR, YR, WR, BR), {},
     "sign of the gradient reversed"),
    ("dw (n,n)", "gradients", gradients_broadcast, (XR, YR.ravel(), WR, BR), {},
     "broadcast (n, n)"),
    ("dw sum", "gradients", gradients_sum, (XR, YR, WR, BR), {}, "sum instead of mean"),
    ("dw by p", "gradients", gradients_by_features, (XR, YR, WR, BR), {},
     "divided by the number of features"),
    ("dw flat", "gradients", gradients_flat, (XR, YR, WR, BR), {}, "flat instead of a column"),
    ("dw row", "gradients", gradients_row, (XR, YR, WR, BR), {}, "row instead of a column"),
    ("logistic dw x2", "logistic_gradients", logistic_gradients_factor(2),
     (LOGISTIC_X, LOGISTIC_Y, np.array([[0.3], [-0.2]]), 0.1), {},
     "factor 2 carried over to the cross-entropy"),
    ("logistic sign", "logistic_gradients", logistic_gradients_factor(-1),
     (LOGISTIC_X, LOGISTIC_Y, np.array([[0.3], [-0.2]]), 0.1), {},
     "sign of the gradient reversed"),
    ("update uphill", "update", update_uphill, (WR, BR, WR * 0.5, 1.5, 0.1), {},
     "update goes uphill"),
    ("update no eta", "update", update_no_eta, (WR, BR, WR * 0.5, 1.5, 0.1), {},
     "eta left out"),
    ("update in place", "update", update_in_place, (WR, BR, WR * 0.5, 1.5, 0.1), {},
     "the caller's array was modified in place"),
    ("update integer", "update", update_integer, (W0, 0, np.array([[-6.0], [-4.27]]), -3.2, 0.1),
     {}, "whole numbers only"),
    ("sgd_step half", "sgd_step", sgd_step_factor(1), (X[5], Y[5], W0, 0.0, 0.01), {},
     "factor 2 missing in the step"),
    ("sgd_step double", "sgd_step", sgd_step_factor(4), (X[5], Y[5], W0, 0.0, 0.01), {},
     "step twice too long"),
    ("sgd_step uphill", "sgd_step", sgd_step_uphill, (X[5], Y[5], W0, 0.0, 0.01), {},
     "update goes uphill"),
    ("mse (n,n)", "mse", mse_broadcast, (YR * 0.5, YR.ravel()), {}, "broadcast (n, n)"),
    ("mse sum", "mse", mse_sum, (YR * 0.5, YR), {}, "sum instead of mean"),
    ("mse root", "mse", mse_root, (YR * 0.5, YR), {}, "root mean squared error"),
    ("predict no b", "batch_gradient.predict", predict_no_b, (XR, WR, BR), {},
     "b left out of the prediction"),
    ("bce log(0)", "bce", bce_unclipped,
     (np.array([[0.0], [0.3], [1.0]]), np.array([[1], [0], [0]])), {},
     "log(0) in the cross-entropy"),
    ("bce negative", "bce", bce_negative, (np.array([[0.2], [0.7]]), np.array([[1], [0]])), {},
     "negative cross-entropy"),
    ("bce (n,n)", "bce", bce_broadcast, (np.array([[0.2], [0.7], [0.9]]), np.array([1, 0, 1])), {},
     "broadcast (n, n)"),
    ("sigmoid overflow value", "sigmoid", sigmoid_other_naive, (np.array([-3.0, 0.5, 1000.0]),), {},
     "sigmoid overflowed"),
    ("sigmoid(-z)", "sigmoid", sigmoid_flipped, (np.array([-3.0, 0.5, 2.0]),), {},
     "sigmoid(-z) instead of sigmoid(z)"),
    ("threshold >", "logistic_regression.predict", predict_labels(np.greater),
     (THRESHOLD_X, THRESHOLD_W, THRESHOLD_B), {}, "> instead of >= at the threshold"),
    ("labels bool", "logistic_regression.predict", predict_labels(np.greater_equal, bool),
     (THRESHOLD_X, THRESHOLD_W, THRESHOLD_B), {}, "labels of the wrong type"),
    ("labels without b", "logistic_regression.predict",
     predict_labels(np.greater_equal, use_b=False), (LOGISTIC_X, np.array([[0.3], [-0.2]]), 1.5),
     {}, "b left out of the prediction"),
    ("threshold ignored", "logistic_regression.predict",
     predict_labels(np.greater_equal, fixed=0.5), (LOGISTIC_X, np.array([[0.3], [-0.2]]), 0.1),
     {"threshold": 0.45}, "threshold ignored"),
    ("labels swapped", "logistic_regression.predict", predict_labels(np.less),
     (THRESHOLD_X, THRESHOLD_W, THRESHOLD_B + 0.1), {}, "labels swapped"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("function", "wrong", "args", "kwargs", "key"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_relation_mistakes_are_recognised_without_a_reference(
    diagnose, function, wrong, args, kwargs, key
):
    found = diagnose(function, wrong, *args, reference=None, **kwargs)
    assert found is not None, "no diagnosis"
    assert found[0] == key, found[1]


@pytest.mark.parametrize(
    ("function", "wrong", "args", "part", "key"),
    [
        ("update", update_b_frozen, (WR, BR, WR * 0.5, 1.5, 0.1), "b", "b never changes"),
        ("sgd_step", sgd_step_b_frozen, (X[5], Y[5], W0, 0.5, 0.01), "b", "b never changes"),
        ("gradients", gradients_db_array, (XR, YR, WR, BR), "db", "a single number expected"),
    ],
    ids=["update", "sgd_step", "db array"],
)
def test_one_item_of_a_pair(diagnose, function, wrong, args, part, key):
    found = diagnose(function, wrong, *args, reference=None, part=part)
    assert found is not None and found[0] == key


def test_strict_threshold_mentions_b_when_the_inputs_cannot_tell_them_apart(diagnose):
    """Rows at z = 0 that stay below 0.5 without b: either mistake gives these labels."""
    X = np.array([[0.25, 1.0], [2.0, 0.5], [1.0, 2.5], [-1.0, 1.0]])
    key, message = diagnose(
        "logistic_regression.predict", predict_labels(np.greater), X, np.array([[2.0], [-1.0]]),
        0.5,
    )  # fmt: skip
    assert key == "> instead of >= at the threshold" and "include b" in message


def test_broadcast_db_is_n_times_too_large(diagnose):
    """Through a flat y, db is summed over an (n, n) matrix: n times the right value."""
    found = diagnose("gradients", gradients_broadcast, XR, YR.ravel(), WR, BR, part="db")
    assert found[0] == "broadcast (n, n)"
    assert "(7,)" in found[1] and "(7, 7)" in found[1]


def test_the_notes_example_message():
    """The message for a doubled gradient on the notes' first batch, word for word."""
    dw, _ = gradients_factor(4)(X[:3], Y[:3], W0, 0)
    expected, _ = gradients_factor(2)(X[:3], Y[:3], W0, 0)  # [[-6.0], [-4.2667]]
    message = explain(
        "gradients", got=dw, expected=expected, part="dw",
        inputs={"X": X[:3], "y": Y[:3], "w": W0, "b": 0},
    )  # fmt: skip
    assert message == (
        "Your dw is exactly twice the expected value. Where does the factor in front of "
        "(y_hat - y) come from in Step 2 of the notes, and is it applied only once? Is the mean "
        "over the batch already accounted for?"
    )


@pytest.mark.parametrize(
    ("function", "wrong", "args", "words"),
    [
        ("sigmoid", sigmoid_naive, (np.array([-1000.0, 0.0, 1000.0]),), "Your sigmoid overflowed"),
        (
            "predict_proba",
            lambda X, w, b: sigmoid_naive(X @ w + b),
            (np.array([[-500.0, -600.0]]), np.array([[1.0], [1.0]]), 0.0),
            "own sigmoid",
        ),
        ("bce", bce_unclipped, (np.array([[0.0], [0.5]]), np.array([[1], [0]])), "log(0)"),
        (
            "update",
            update_in_place,
            (W0, 0, np.array([[-6.0], [-4.27]]), -3.2, 0.1),
            "integer array in place",
        ),
        ("gradients", lambda X, y, w, b: X @ w.T, (XR, YR, WR, BR), "shapes that do not fit"),
        (
            "gradients",
            lambda X, y, w, b: np.zeros((3, 1)) + np.zeros((4, 1)),
            (XR, YR, WR, BR),
            "incompatible shapes",
        ),
    ],  # fmt: skip
    ids=["sigmoid", "predict_proba", "bce", "int in place", "matmul", "broadcast"],
)
def test_exceptions_in_the_worker_are_explained(diagnose, function, wrong, args, words):
    message = diagnose.error(function, wrong, *args)
    assert message is not None and words in message


def test_stub_is_told_to_write_code(diagnose):
    def stub(*args):
        raise NotImplementedError

    assert "NotImplementedError" in diagnose.error("mse", stub, 1, 2)


@pytest.mark.parametrize("scale", [1.001, 0.999, 1.3])
def test_a_value_off_for_another_reason_gets_no_diagnosis(scale):
    """No false alarm: a result that is just different is not labelled with a mistake."""
    dw, db = gradients_factor(2)(XR, YR, WR, BR)
    got = (dw * scale, db * scale)
    found = identify(
        "gradients", got=got, expected=(dw, db), inputs={"X": XR, "y": YR, "w": WR, "b": BR}
    )
    assert found is None


def test_explain_check_reads_a_checks_context():
    """The adapter for `checks.DIAGNOSES`: the function, the inputs and the item come from ctx."""
    from grader.feedback.diagnoses import explain_check
    from grader.suites import checks

    dw, db = gradients_factor(4)(XR, YR, WR, BR)
    expected = gradients_factor(2)(XR, YR, WR, BR)
    call = checks.Call("batch_gradient", "gradients", (XR, YR, WR, BR), {})
    ctx = checks.Context("gradients", call=call, reveal=True)
    assert "twice" in explain_check(ctx, "dw", dw, expected[0])
    assert "twice" in explain_check(ctx, "db", db, expected[1])


def test_messages_never_show_code():
    """Student-facing messages ask questions; they do not contain a line of the solution."""
    from grader.feedback import mistakes, variants

    rows = mistakes.MISTAKES + variants.MISTAKES
    texts = [row.message for row in rows if "{asks}" not in row.message]
    texts += [m for _, _, m in mistakes.ERRORS]
    for function in variants.DESCENTS:  # the variant search's words, for every knob setting
        inputs = {"X": np.ones((12, 2)), "batch_size": 5, "w": None}
        case = Case("", function, None, None, inputs)
        texts += [s.does + ". " + s.asks for knob in variants.dimensions(case) for s in knob]
    for text in texts:
        assert "?" in text or "NotImplementedError" in text, text
        for code in ("np.clip(", "reshape(-1, 1)", "np.mean(", "2 / N *", "np.exp(-np.logaddexp"):
            assert code not in text, text


def test_with_advice_puts_the_question_after_the_first_line():
    from grader.feedback.diagnoses import with_advice

    message = "`sigmoid` raised RuntimeWarning: overflow encountered in exp\nTraceback ...\n  line"
    text = with_advice("sigmoid", message, module="logistic_regression")
    first, second, *rest = text.splitlines()
    assert first == "`sigmoid` raised RuntimeWarning: overflow encountered in exp"
    assert second.startswith("Your sigmoid overflowed")
    assert rest == ["Traceback ...", "  line"]
    assert with_advice("mse", "`mse` raised KeyError: 'x'") == "`mse` raised KeyError: 'x'"


def test_a_descent_that_times_out_is_asked_about_its_loops():
    from grader.feedback.diagnoses import explain_error

    text = "`sgd` did not return within 5 s and was stopped. Look for a loop that never ends."
    assert "max_iter epochs" in explain_error("sgd", text)
    assert explain_error("mse", text) is None


@pytest.mark.parametrize(
    "text",
    [
        "`sgd_step` raised PermissionError: [Errno 1] Operation not permitted: 'w.npy'",
        "`mse` raised PermissionError: [Errno 13] Permission denied: '/home/me/data.csv'",
        "`sgd` raised PermissionError: [Errno 13] Permission denied",  # a TCP connection
    ],
)
def test_what_the_sandbox_refuses_is_explained_as_the_sandbox_not_a_bug(text):
    from grader.feedback.diagnoses import explain_error

    sentence = explain_error(text.split("`")[1], text)
    assert sentence is not None and "its own folder" in sentence and "arguments" in sentence


def test_signatures_and_pairs_come_from_course_toml():
    for module, function in load_course().functions():
        name = f"{module}.{function.name}"
        listed = tuple((p.name, p.default) for p in function.signature.parameters)
        assert diagnoses.SIGNATURES[name] == listed
        assert diagnoses.PAIRS.get(name) == (
            tuple(v.name for v in function.returns) if function.returns_pair else None
        )
    assert diagnoses.SIGNATURES["batch_gradient.gradients"][0] == ("X", REQUIRED)
    assert diagnoses.bind("logistic_regression.predict", (1, 2, 3)) == {
        "X": 1,
        "w": 2,
        "b": 3,
        "threshold": 0.5,
    }
    assert diagnoses.bind("batch_gradient.predict", (1, 2, 3)) == {"X": 1, "w": 2, "b": 3}
