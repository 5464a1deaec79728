"""The conversion of a notebook into its module, without grading: what is kept, left out, said."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.notebooks import convert, modules_for
from grader.notebooks.ipython import plain_python
from grader.notebooks.reading import Unreadable, code_cells
from grader.notebooks.select import select

FUNCTIONS = ("sgd_step", "sgd")


def notebook(*sources: str) -> bytes:
    cells = [new_markdown_cell("# Notes")] + [new_code_cell(s) for s in sources]
    return nbformat.writes(new_notebook(cells=cells)).encode()


def run_module(source: str, capsys=None) -> dict:
    namespace: dict = {"__name__": "sgd"}
    exec(compile(source, "sgd.py", "exec"), namespace)  # test-authored notebooks only
    return namespace


@pytest.mark.parametrize(
    "line",
    ["%matplotlib inline", "!pip install numpy", "files = !ls", "t = %timeit f()", "np.mean?",
     "?np.mean", "%%time"],
)  # fmt: skip
def test_ipython_commands_become_pass_and_are_remembered(line):
    plain = plain_python(line)
    assert plain.commands == (line,)
    assert plain.source.strip() in ("pass", "")
    compile(plain.source, "cell", "exec")


def test_commands_keep_line_numbers_blocks_and_strings():
    source = 'if True:\n    !ls\nx = 1\ntext = """\n!not a command\n"""\n%who'
    plain = plain_python(source)
    assert plain.source.splitlines()[1] == "    pass"
    assert "!not a command" in plain.source
    assert len(plain.source.splitlines()) == len(source.splitlines())
    assert plain.commands == ("!ls", "%who")


def test_a_python_cell_magic_keeps_its_body_and_others_drop_the_cell():
    assert "x = 1" in plain_python("%%time\nx = 1").source
    assert "echo" not in plain_python("%%bash\necho hi").source


def test_definitions_and_what_they_need_are_kept_and_exploration_is_left_out():
    cells = [
        (1, "import numpy as np\nimport matplotlib.pyplot as plt"),
        (2, "ETA = 0.01\nUNUSED = 3"),
        (3, "def sgd_step(x, y, w, b, eta=ETA):\n    return w - eta * helper(x), b"),
        (4, "w, b = sgd_step(1, 2, 3, 4)\nprint(w)\nplt.plot([w])"),
        (5, "def helper(x):\n    return np.asarray(x) * SCALE"),
        (6, "SCALE = float(np.sqrt(4))"),
        (7, "x = 1; y = train()"),
        (8, "def sgd(X, y):\n    return sgd_step(X, y, 0, 0)"),
    ]
    selection = select(cells, FUNCTIONS)
    kept = "\n".join(s.code.strip() for s in selection.kept)
    assert "import numpy as np" in kept and "matplotlib" not in kept
    assert "ETA = 0.01" in kept and "UNUSED" not in kept
    assert "SCALE = float(np.sqrt(4))" in kept  # needed by a helper, defined after it
    assert "print" not in kept and "train()" not in kept and "w, b =" not in kept
    assert selection.left_out_cells == [2, 4, 7]  # an unused import is not worth a word
    assert selection.syntax_errors == []


def test_an_assignment_to_a_graded_name_is_kept_and_a_later_definition_wins():
    data = notebook(
        "def my_sgd(X, y):\n    return 1",
        "sgd = my_sgd",
        "def sgd_step(x, y, w, b, eta):\n    return 'first'",
        "def sgd_step(x, y, w, b, eta):\n    return 'second'",
    )
    namespace = run_module(convert("sgd", FUNCTIONS, data).source)
    assert namespace["sgd"](0, 0) == 1 and namespace["sgd_step"](0, 0, 0, 0, 0) == "second"


def test_a_syntax_error_costs_its_cell_only_and_is_said():
    data = notebook(
        "def sgd_step(x, y, w, b, eta)\n    return w, b", "def sgd(X, y):\n    return 2"
    )
    conversion = convert("sgd", FUNCTIONS, data)
    namespace = run_module(conversion.source)
    assert "sgd_step" not in namespace and namespace["sgd"](0, 0) == 2
    assert "Code cell 1 has a syntax error (line 1" in conversion.note


def test_tracebacks_name_the_cell_and_show_its_line():
    import traceback

    data = notebook("%matplotlib inline\n\ndef sgd(X, y):\n    return X[5]")
    namespace = run_module(convert("sgd", FUNCTIONS, data).source)
    with pytest.raises(IndexError) as info:
        namespace["sgd"]([], 0)
    text = "".join(traceback.format_exception(info.value))
    assert 'File "sgd.ipynb, code cell 1", line 4, in sgd' in text and "return X[5]" in text


def test_a_kept_statement_that_raises_is_skipped_and_reported(capsys):
    data = notebook("import no_such_package_here as nsp", "def sgd(X, y):\n    return nsp.f()")
    namespace = run_module(convert("sgd", FUNCTIONS, data).source)
    assert "sgd" in namespace
    err = capsys.readouterr().err
    assert "sgd.ipynb, code cell 1" in err and "ModuleNotFoundError" in err


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (notebook("def sgd(X, y):\n    return 1")[:120], "not a complete notebook"),
        (b"", "is empty"),
        (b"\xff\xfe\x00binary", "not a text file"),
        (b"{}", "not a notebook Jupyter can open"),
        (json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": 3}).encode(), "Jupyter"),
    ],
)
def test_an_unreadable_notebook_is_the_submissions_problem_said_plainly(data, says):
    with pytest.raises(Unreadable, match=says):
        code_cells(data, "sgd.ipynb")
    conversion = convert("sgd", FUNCTIONS, data)
    assert not conversion.readable and says in conversion.note
    with pytest.raises(Exception, match=says):
        run_module(conversion.source)


def test_modules_are_made_for_exercise_notebooks_without_their_module_only():
    nb = notebook("def sgd(X, y):\n    return 1")
    files = {
        "sgd.ipynb": (nb, 0o644, 0, 0),
        "batch_gradient.ipynb": (nb, 0o644, 0, 0),
        "batch_gradient.py": (b"x = 1", 0o644, 0, 0),
        "scratch.ipynb": (nb, 0o644, 0, 0),
        "sub/logistic_regression.ipynb": (nb, 0o644, 0, 0),
    }
    assert set(modules_for(files)) == {"sgd.py"}
