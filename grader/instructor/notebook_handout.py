"""The notebook form of the handout (`grade release --notebooks`): `exercises/<module>.ipynb`.

Each notebook is made from the exercise's stub module, so that the two forms never disagree:
the module docstring (the notes' maths and conventions) as the first markdown cell, then for
each function its docstring (maths, shapes, the worked example) as markdown and its stub as a
code cell of its own, and last a cell that checks the student's work with the public suite from
inside the notebook (`grader.notebooks.check`). The stubs raise NotImplementedError: untouched,
the notebook grades to zero, like the stub module.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.course import Exercise

#: The part of a stub module's docstring about running `grade` in a terminal: a notebook has
#: its own way, said in the cells that `_checking` writes.
TERMINAL_SECTION = "How to check your work"

INSTALL = """\
# Working in Google Colab, or in a Jupyter without this course's `grade`? Upload the handout's
# zip (gd-handout.zip) to the Files pane, then remove the # of the next line and run this cell.
# %pip install -q gd-handout.zip
import numpy as np"""

CHECK = """\
# Runs the public tests on {module} as this notebook's kernel holds it now (run the cells you
# changed first), in the same isolated worker as `grade`, and prints what to look at.
from grader.notebooks.check import check

check("{module}")"""


def exercise_notebook(exercise: Exercise, stub: Path) -> str:
    """The notebook (JSON text) of `exercise`, made from its stub module `stub`."""
    text = stub.read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines()
    # Its first line says what the title says; the section on `grade` is for terminals.
    intro = (ast.get_docstring(tree) or "").split(TERMINAL_SECTION)[0].rstrip()
    intro = intro.split("\n", 1)[1].strip() if "\n" in intro else intro
    cells = [
        new_markdown_cell(f"# {exercise.title}\n\n{_markdown(intro)}"),
        new_code_cell(INSTALL),
    ]
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        doc = ast.get_docstring(node) or ""
        signature = _signature(node, lines)
        cells.append(new_markdown_cell(f"## `{signature}`\n\n{_markdown(doc)}"))
        cells.append(new_code_cell(_stub(node, lines)))
    cells += _checking(exercise.module)
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python"
    }  # fmt: skip
    return nbformat.writes(notebook)


def _signature(node: ast.FunctionDef, lines: list[str]) -> str:
    """`name(a, b=1e-8)` as written in the stub, on one line."""
    head = " ".join(lines[node.lineno - 1 : node.body[0].lineno - 1]).strip()
    head = re.sub(r"\s+", " ", head.removeprefix("def ")).rstrip(":").rstrip()
    return re.sub(r"\(\s+", "(", re.sub(r",?\s*\)$", ")", head))


def _stub(node: ast.FunctionDef, lines: list[str]) -> str:
    """The function with the first line of its docstring only (the rest is the markdown above)."""
    head = lines[node.lineno - 1 : node.body[0].lineno - 1]
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    summary = (ast.get_docstring(node) or "").splitlines()[:1]
    start = body[0].lineno if body else node.end_lineno + 1
    # Comments just above the first statement (e.g. "# TODO: ...") belong to the body.
    while start - 2 >= 0 and lines[start - 2].strip().startswith("#"):
        start -= 1
    docline = [f'    """{summary[0]}"""'] if summary else []
    return "\n".join([*head, *docline, *lines[start - 1 : node.end_lineno]])


def _markdown(docstring: str) -> str:
    """A docstring as Markdown: its indented blocks (formulas, examples) kept as code blocks."""
    text = inspect.cleandoc(docstring)
    out, previous_blank = [], True
    for line in text.splitlines():
        if line.startswith("    ") and previous_blank:
            out.append("")  # Markdown needs a blank line before an indented code block
        out.append(line)
        previous_blank = not line.strip()
    return "\n".join(out).replace("\n\n\n", "\n\n")


def _checking(module: str) -> list:
    return [
        new_markdown_cell(
            "## Check your work\n\n"
            "Run the next cell whenever you want: it runs the public tests on your functions as "
            "this notebook holds them now, and tells you what to look at, with a guiding "
            "question. Cells that only explore (prints, plots, training runs) are fine: the "
            "grader grades your functions, not them."
        ),
        new_code_cell(CHECK.format(module=module)),
    ]
