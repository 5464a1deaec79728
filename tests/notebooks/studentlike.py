"""Notebooks written the ways students write them, made from a module's source.

`student_notebook(module, source)` keeps every top-level statement of the module, one per cell
(consecutive imports share one), in the module's order, and adds what students leave around
them: a title in markdown, `!pip install` and `%matplotlib inline`, an exploration cell after
each function (prints, a loop, a `%%time` run), a plotting cell that imports matplotlib, and a
scratch cell that fails with a NameError because it was run before the cell it needs. Graded,
it must score what the module scores.
"""

from __future__ import annotations

import ast

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SETUP = "!pip install -q numpy\n%matplotlib inline"
PLOT = (
    "import matplotlib.pyplot as plt\n\n"
    "losses = [3.0, 1.5, 0.7, 0.4]\n"
    "plt.plot(losses)\nplt.xlabel('epoch')\nplt.show()"
)
SCRATCH = "print(w_final, b_final)  # run before the cell that computes them"
TIMED = "%%time\nfor attempt in range(3):\n    print('attempt', attempt)"


def exploration(name: str) -> str:
    return f"print('{name} is', {name})\nfor i in range(2):\n    print(i, i ** 2)\n{name}?"


def student_notebook(module: str, source: str, *, extra: tuple[str, ...] = ()) -> str:
    """The notebook (JSON text) of `source`, the way a student writes it; `extra` cells last."""
    tree = ast.parse(source)
    lines = source.splitlines()
    cells = [new_markdown_cell(f"# Exercise: `{module}`\n\n{ast.get_docstring(tree) or ''}")]
    cells.append(new_code_cell(SETUP))
    pending_imports: list[str] = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "\n".join(lines[first - 1 : node.end_lineno])
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring: in the markdown title
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            pending_imports.append(text)
            continue
        if pending_imports:
            cells.append(new_code_cell("\n".join(pending_imports)))
            pending_imports = []
        cells.append(new_code_cell(text))
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            cells.append(new_markdown_cell(f"Let us try `{node.name}`."))
            cells.append(new_code_cell(exploration(node.name)))
    if pending_imports:
        cells.append(new_code_cell("\n".join(pending_imports)))
    cells += [new_code_cell(TIMED), new_code_cell(PLOT), new_code_cell(SCRATCH)]
    cells += [new_code_cell(text) for text in extra]
    return nbformat.writes(new_notebook(cells=cells))


def as_notebooks(files: dict[str, str], *, only: tuple[str, ...] = ()) -> dict[str, str]:
    """`files` (`<module>.py` -> source) with each module (or those of `only`) as a notebook."""
    out = {}
    for name, text in files.items():
        stem = name.removesuffix(".py")
        if name.endswith(".py") and (not only or stem in only):
            out[f"{stem}.ipynb"] = student_notebook(stem, text)
        else:
            out[name] = text
    return out


def fill_in(notebook_text: str, source: str) -> str:
    """A handout notebook filled in with the module `source`: each stub cell replaced by the
    function of the same name, the module's other statements (helpers) in cells before them."""
    nb = nbformat.reads(notebook_text, as_version=4)
    tree = ast.parse(source)
    lines = source.splitlines()
    functions, others = {}, []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "\n".join(lines[first - 1 : node.end_lineno])
        if isinstance(node, ast.FunctionDef):
            functions[node.name] = text
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            others.append(text)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("def "):
            name = cell.source[4:].split("(")[0]
            cell.source = functions.pop(name)
    first_stub = next(i for i, c in enumerate(nb.cells) if c.source.startswith("def "))
    helpers = [new_code_cell(t) for t in [*others, *functions.values()]]
    nb.cells[first_stub:first_stub] = helpers
    return nbformat.writes(nb)
