"""The suites' shape: every test grades a function of its exercise and is named for a student.

Also: the public suite (shipped in the handout) never imports the reference solutions, every
function of the course is tested by both suites, and the hidden suite stays lean.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from grader.course import load_course

SUITES = Path(__file__).resolve().parents[2] / "grader" / "suites"
COURSE = load_course()


def suite_tests(suite: str) -> list[tuple[str, str, str, int]]:
    """`(exercise, test name, graded function, number of parametrized cases)` of a suite."""
    found = []
    for exercise in COURSE.exercises:
        module = importlib.import_module(f"grader.suites.{suite}.test_{exercise.module}")
        for name, obj in vars(module).items():
            if not name.startswith("test_") or not callable(obj):
                continue
            marks = getattr(obj, "pytestmark", [])
            graded = [m.args[0] for m in marks if m.name == "grades"]
            cases = 1
            for m in marks:
                if m.name == "parametrize":
                    cases *= len(m.args[1])
            found.append((exercise.module, name, graded[0] if graded else "", cases))
    return found


@pytest.mark.parametrize("suite", ["public", "hidden"])
def test_every_test_grades_a_function_of_its_exercise(suite):
    for exercise, name, function, _ in suite_tests(suite):
        names = {f.name for f in COURSE.exercise(exercise).functions}
        assert function in names, (
            f"{suite}/{exercise}.{name} grades {function!r}, not one of {names}"
        )


@pytest.mark.parametrize("suite", ["public", "hidden"])
def test_every_test_has_a_one_line_docstring_naming_its_function(suite):
    for exercise in COURSE.exercises:
        module = importlib.import_module(f"grader.suites.{suite}.test_{exercise.module}")
        for exercise_name, name, function, _ in suite_tests(suite):
            if exercise_name != exercise.module:
                continue
            doc = getattr(module, name).__doc__ or ""
            assert doc and "\n" not in doc.strip(), f"{suite}/{name}: one line, please"
            assert doc.startswith(f"{function}: "), f"{suite}/{name}: start with '{function}: '"
            assert len(doc) <= 100, f"{suite}/{name}: keep the name short ({len(doc)} chars)"


@pytest.mark.parametrize("suite", ["public", "hidden"])
def test_every_function_of_the_course_is_tested(suite):
    graded = {(e, f) for e, _, f, _ in suite_tests(suite)}
    for exercise in COURSE.exercises:
        for function in exercise.functions:
            assert (exercise.module, function.name) in graded, f"{suite}: no test of {function}"


def test_hidden_suite_is_lean_but_fine_grained():
    tests = suite_tests("hidden")
    total = sum(cases for *_, cases in tests)
    assert 100 <= total <= 200, total
    for exercise in COURSE.exercises:
        for function in exercise.functions:
            count = sum(c for e, _, f, c in tests if (e, f) == (exercise.module, function.name))
            assert count >= 4, f"{exercise.module}.{function.name} has only {count} hidden tests"


def test_public_suite_never_imports_the_solutions():
    for path in sorted((SUITES / "public").rglob("*.py")) + [SUITES / "checks.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            forbidden = [n for n in names if n.split(".")[0] == "solutions" or "hidden" in n]
            assert not forbidden, f"{path.name} imports {forbidden}: the handout has neither"
