"""The course self-check: the stubs, the reference solutions and course.toml agree with each other.

Like rustlings' `dev check`: every stub is a faithful, unsolved copy of its solution's interface,
every file has its twin, and the metadata lists exactly what the modules define.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import io
import re
from pathlib import Path

import numpy as np
import pytest

from grader.course import load_course

# CONTRACT §1, written out: module -> function -> signature, in the order of the contract.
CONTRACT = {
    "batch_gradient": {
        "predict": "(X, w, b)",
        "mse": "(y_pred, y_true)",
        "gradients": "(X, y, w, b)",
        "update": "(w, b, dw, db, eta)",
        "lr_gradient_descent": (
            "(X, y, batch_size=32, eta=0.1, w=None, b=None, max_iter=100, tol=1e-08, rng=None)"
        ),
    },
    "sgd": {
        "sgd_step": "(x, y, w, b, eta)",
        "sgd": "(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-08, rng=None)",
    },
    "logistic_regression": {
        "sigmoid": "(z)",
        "predict_proba": "(X, w, b)",
        "bce": "(p, y, eps=1e-12)",
        "logistic_gradients": "(X, y, w, b)",
        "logistic_gradient_descent": "(X, y, eta=0.1, w=None, b=None, max_iter=1000, tol=1e-08)",
        "predict": "(X, w, b, threshold=0.5)",
    },
}
MODULES = tuple(CONTRACT)
FUNCTIONS = [(module, name) for module, names in CONTRACT.items() for name in names]
PACKAGES = ("exercises", "solutions")


def module(package: str, name: str):
    return importlib.import_module(f"{package}.{name}")


def folder(package: str) -> Path:
    return Path(importlib.import_module(package).__file__).parent


def public_functions(mod) -> dict:
    """The public functions a module defines itself, in the order it defines them."""
    return {
        name: obj
        for name, obj in vars(mod).items()
        if inspect.isfunction(obj) and obj.__module__ == mod.__name__ and not name.startswith("_")
    }


def first_line(function) -> str:
    doc = inspect.getdoc(function)
    return doc.splitlines()[0] if doc else ""


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- the interface: the contract, and stubs that mirror the solutions --------------------------


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("name", MODULES)
def test_the_modules_define_the_contract_s_functions_and_signatures(package, name):
    functions = public_functions(module(package, name))
    signatures = {f: str(inspect.signature(functions[f])) for f in functions}
    assert signatures == CONTRACT[name]
    assert list(signatures) == list(CONTRACT[name]), "defined in the order of the contract"


@pytest.mark.parametrize("name", MODULES)
def test_stubs_and_solutions_define_the_same_functions_with_the_same_first_lines(name):
    stubs = public_functions(module("exercises", name))
    solutions = public_functions(module("solutions", name))
    assert list(stubs) == list(solutions)
    for function in stubs:
        assert inspect.signature(stubs[function]) == inspect.signature(solutions[function])
        assert first_line(stubs[function]), f"{name}.{function} has no docstring"
        assert first_line(stubs[function]) == first_line(solutions[function]), function


# -- the stubs are unsolved ---------------------------------------------------------------------

# A valid value for every parameter name of the contract (checked against the reference below).
ARGUMENTS = {
    "X": np.array([[1.0, 2.0], [3.0, 1.0], [1.0, 1.0]]),
    "x": np.array([1.0, 2.0]),
    "y": np.array([[1.0], [0.0], [1.0]]),
    "y_pred": np.array([[3.0], [4.0], [2.0]]),
    "y_true": np.array([[4.6], [6.1], [3.1]]),
    "p": np.array([[0.2], [0.5], [0.9]]),
    "z": np.array([-1.0, 0.0, 1.0]),
    "w": np.array([[1.0], [1.0]]),
    "dw": np.array([[-6.0], [-4.2667]]),
    "b": 0.0,
    "db": -3.2,
    "eta": 0.1,
}
ONE_OBSERVATION = {("sgd", "sgd_step"): {"y": 4.6}}


def required_arguments(name: str, function) -> dict:
    required = [
        parameter.name
        for parameter in inspect.signature(function).parameters.values()
        if parameter.default is inspect.Parameter.empty
    ]
    overrides = ONE_OBSERVATION.get((name, function.__name__), {})
    return {parameter: overrides.get(parameter, ARGUMENTS[parameter]) for parameter in required}


@pytest.mark.parametrize(("name", "function"), FUNCTIONS)
def test_every_stub_raises_not_implemented_error(name, function):
    arguments = required_arguments(name, getattr(module("exercises", name), function))
    getattr(module("solutions", name), function)(**arguments)  # the arguments are valid...
    with pytest.raises(NotImplementedError):  # ...and the stub is not solved
        getattr(module("exercises", name), function)(**arguments)


@pytest.mark.parametrize(("name", "function"), FUNCTIONS)
def test_every_stub_has_a_todo_marker(name, function):
    assert "TODO:" in inspect.getsource(getattr(module("exercises", name), function))


@pytest.mark.parametrize("name", MODULES)
def test_the_stubs_do_not_contain_the_reference_code(name):
    """No statement of the reference (16 characters or more) appears in the stub or the hints."""
    stub_text = squeeze(Path(module("exercises", name).__file__).read_text(encoding="utf-8"))
    hints = load_course().exercise(name).functions
    hint_text = squeeze(" ".join(hint for f in hints for hint in f.hints))
    tree = ast.parse(Path(module("solutions", name).__file__).read_text(encoding="utf-8"))
    checked = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt) or isinstance(node, ast.FunctionDef | ast.ImportFrom):
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring: the first lines are shared on purpose
        statement = squeeze(ast.unparse(node))
        if len(statement) >= 16:
            checked += 1
            assert statement not in stub_text, f"the stub gives away: {ast.unparse(node)}"
            assert statement not in hint_text, f"a hint gives away: {ast.unparse(node)}"
    assert checked > 0


# -- the stubs are course material --------------------------------------------------------------


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize("name", MODULES)
def test_each_file_opens_with_its_module_docstring(package, name):
    source = Path(module(package, name).__file__).read_text(encoding="utf-8")
    assert source.startswith('"""'), "the module docstring belongs on line 1"


@pytest.mark.parametrize("name", MODULES)
def test_each_stub_module_says_how_to_check_your_work(name):
    doc = module("exercises", name).__doc__
    assert "`grade`" in doc and "grade hint" in doc and "./exercises" in doc


@pytest.mark.parametrize(("name", "function"), FUNCTIONS)
def test_each_stub_docstring_documents_every_argument_and_the_result(name, function):
    stub = getattr(module("exercises", name), function)
    doc = inspect.getdoc(stub)
    assert "Args:" in doc and "Returns:" in doc
    args = doc.split("Args:")[1].split("Returns:")[0]
    for parameter in inspect.signature(stub).parameters:
        assert re.search(rf"^\s*{parameter}:", args, re.MULTILINE), f"Args: misses {parameter}"


@pytest.mark.parametrize("name", MODULES)
def test_the_worked_examples_in_the_stubs_are_true_for_the_reference(name):
    """Run every `>>>` example of the stubs with the reference functions in their place."""
    reference_globals = dict(vars(module("solutions", name)))
    tests = doctest.DocTestFinder().find(module("exercises", name), globs=reference_globals)
    with_examples = {test.name.rsplit(".", 1)[-1] for test in tests if test.examples}
    assert set(CONTRACT[name]) <= with_examples, "every function shows a worked example"
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=0)
    for test in tests:
        runner.run(test, out=report.write)
    assert runner.failures == 0, report.getvalue()
    assert runner.tries >= 2 * len(CONTRACT[name])


# -- files and course.toml ----------------------------------------------------------------------


def test_no_orphan_files():
    exercises = {path.name for path in folder("exercises").glob("*.py")}
    solutions = {path.name for path in folder("solutions").glob("*.py")}
    assert exercises == solutions, "every exercise file has a solution twin and vice versa"
    listed = {f"{exercise.module}.py" for exercise in load_course().exercises}
    assert exercises - {"__init__.py"} == listed, "every exercise file is in course.toml"


def test_course_toml_lists_the_exercises_in_the_order_of_the_notes():
    exercises = load_course().exercises
    assert tuple(exercise.module for exercise in exercises) == MODULES
    for number, exercise in enumerate(exercises, start=1):
        assert exercise.title.startswith(f"Exercise {number} - "), exercise.title


@pytest.mark.parametrize("name", MODULES)
def test_course_toml_lists_exactly_the_functions_of_each_module(name):
    listed = [function.name for function in load_course().exercise(name).functions]
    assert listed == list(public_functions(module("exercises", name)))


@pytest.mark.parametrize(("name", "function"), FUNCTIONS)
def test_every_function_has_points_and_guiding_questions(name, function):
    entry = load_course().exercise(name).function(function)
    assert entry.points > 0
    assert len(entry.hints) >= 1
    assert len(set(entry.hints)) == len(entry.hints), "no hint twice"
    for hint in entry.hints:
        assert hint == hint.strip() and "\n" not in hint
        assert hint.endswith("?"), f"a hint is a guiding question: {hint!r}"


# -- course.toml: signatures and return values ---------------------------------------------------

COURSE_FUNCTIONS = [(name, function.name) for name, function in load_course().functions()]


def spelled(signature: inspect.Signature) -> list[tuple[str, str, str]]:
    """Names, kinds and defaults (by repr: 32 is not 32.0), in order."""
    return [(p.name, p.kind.name, repr(p.default)) for p in signature.parameters.values()]


@pytest.mark.parametrize("package", PACKAGES)
@pytest.mark.parametrize(("name", "function"), COURSE_FUNCTIONS)
def test_course_toml_gives_the_signature_the_modules_define(package, name, function):
    listed = load_course().exercise(name).function(function).signature.to_inspect()
    defined = inspect.signature(getattr(module(package, name), function))
    assert spelled(listed) == spelled(defined), f"course.toml: {name}.{function}"
    assert listed == defined, "no annotations either side"


@pytest.mark.parametrize(("name", "function"), COURSE_FUNCTIONS)
def test_course_toml_says_what_every_function_returns(name, function):
    """A return description for every function, true of what the reference returns."""
    entry = load_course().exercise(name).function(function)
    assert len(entry.returns) in (1, 2), "one value, or a pair"
    for value in entry.returns:
        assert value.name.strip() and value.shape.strip()
    reference = getattr(module("solutions", name), function)
    arguments = required_arguments(name, reference)
    returned = reference(**arguments)
    if entry.returns_pair:
        assert isinstance(returned, tuple) and len(returned) == 2
    else:
        returned = (returned,)
    X, w = arguments.get("X"), arguments.get("w")
    symbols = {
        "n": None if X is None else X.shape[0],
        "p": w.shape[0] if w is not None else (None if X is None else X.shape[1]),
    }
    for value, got in zip(entry.returns, returned, strict=True):
        if value.is_scalar:
            assert np.ndim(got) == 0 and np.isreal(got), f"{value.name} is a scalar"
            continue
        assert isinstance(got, np.ndarray), f"{value.name} is an array"
        if value.shape.startswith("like "):
            shape = np.shape(arguments[value.shape.removeprefix("like ")])
        else:
            dims = value.shape.strip("()").split(",")
            shape = tuple(int(d) if d.strip().isdigit() else symbols[d.strip()] for d in dims)
        assert got.shape == shape, f"{value.name} of shape {value.shape}"
        if value.labels:
            assert set(np.unique(got)) <= {0, 1}
