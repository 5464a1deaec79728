"""Reading course.toml: signatures parsed with `ast` (never run), return descriptions checked."""

from __future__ import annotations

import textwrap

import pytest

from grader.course import (
    REQUIRED,
    SCALAR,
    CourseError,
    Parameter,
    Value,
    load_course,
    parse_returns,
    parse_signature,
)


def test_a_signature_gives_names_order_and_literal_defaults():
    signature = parse_signature("(X, y, batch_size=32, eta=0.1, tol=1e-8, rng=None, name='a')")
    assert signature.names == ("X", "y", "batch_size", "eta", "tol", "rng", "name")
    assert signature.parameters[0] == Parameter("X", REQUIRED) and signature.parameters[0].required
    defaults = {"batch_size": 32, "eta": 0.1, "tol": 1e-8, "rng": None, "name": "a"}
    assert signature.defaults == defaults
    assert type(signature.defaults["batch_size"]) is int
    assert (
        str(signature.to_inspect())
        == "(X, y, batch_size=32, eta=0.1, tol=1e-08, rng=None, name='a')"
    )


def test_negative_defaults_and_no_parameters():
    assert parse_signature("(shift=-1.5)").defaults == {"shift": -1.5}
    assert parse_signature("()").parameters == ()


@pytest.mark.parametrize(
    "text",
    [
        "(x=__import__('os').system('touch /tmp/pwned'))",  # a call: not a literal
        "(x=print)",  # a name: not a literal
        "(x=[1, 2])",  # a literal, but a mutable default
        "(x=(1, 2))",  # not None, a bool, a number or a string
        "(x): pass\nimport os\ndef g()",  # more than a parameter list
        "(x) -> int",
        "(x: int)",
        "(*args)",
        "(x, *, y)",
        "(x, /, y)",
        "(**kwargs)",
        "(x,",
        "x, y",
        "",
    ],
)
def test_anything_but_a_plain_parameter_list_is_refused(text):
    with pytest.raises(CourseError):
        parse_signature(text)


def test_returns_one_value_or_a_pair():
    signature = parse_signature("(z)")
    assert parse_returns({"name": "y_hat", "shape": "(n, 1)"}, signature) == (
        Value("y_hat", "(n, 1)"),
    )
    pair = parse_returns(
        [{"name": "dw", "shape": "(p, 1)"}, {"name": "db", "shape": "scalar"}], signature
    )
    assert pair == (Value("dw", "(p, 1)"), Value("db", SCALAR)) and pair[1].is_scalar
    labels = parse_returns({"name": "the labels", "shape": "(n, 1)", "labels": True}, signature)
    assert labels[0].labels
    assert parse_returns({"name": "s", "shape": "like z"}, signature)[0].shape == "like z"


@pytest.mark.parametrize(
    "returns",
    [
        [],
        [{"name": "a", "shape": "scalar"}] * 3,
        {"shape": "scalar"},
        {"name": "", "shape": "scalar"},
        {"name": "a"},
        {"name": "a", "shape": "n by 1"},
        {"name": "a", "shape": "like q"},  # q is no parameter
        {"name": "a", "shape": "scalar", "labels": True},
        {"name": "a", "shape": "(n, 1)", "labels": "yes"},
        {"name": "a", "shape": "(n, 1)", "dtype": "int"},
        "a scalar",
    ],
)
def test_malformed_returns_are_refused(returns):
    with pytest.raises(CourseError):
        parse_returns(returns, parse_signature("(z)"))


COURSE = """
schema = 1
notes = "n"

[[exercises]]
module = "m"
title = "Exercise 1 - t"

  [[exercises.functions]]
  name = "f"
  points = 1
  hints = ["h?"]
"""


@pytest.mark.parametrize(
    ("extra", "missing"),
    [
        ('signature = "(x)"\n', "returns"),
        ('returns = { name = "a", shape = "scalar" }\n', "signature"),
    ],
)
def test_a_function_without_signature_or_returns_is_refused(tmp_path, extra, missing):
    path = tmp_path / "course.toml"
    path.write_text(textwrap.dedent(COURSE) + "  " + extra, encoding="utf-8")
    with pytest.raises(CourseError, match=f"m.f: no `{missing}`"):
        load_course(path)


def test_the_course_file_reads_with_its_old_api_intact():
    course = load_course()
    gradients = course.exercise("batch_gradient").function("gradients")
    assert (gradients.name, gradients.points) == ("gradients", 3.0) and gradients.hints
    assert [v.name for v in gradients.returns] == ["dw", "db"] and gradients.returns_pair
    assert course.max_score == sum(f.points for _, f in course.functions())
