"""A notebook turned into its exercise's module, with a note for the student on what was left out.

`convert` is a pure function of the notebook's bytes (cached by them): the private copy of the
submission (`grader/sandbox/workdir.py`) and the report (`grader/runner.py`) each ask for it,
and get the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from grader.notebooks import ipython, module, reading
from grader.notebooks.select import select


@dataclass(frozen=True)
class Conversion:
    """What the grader made of `<module>.ipynb`: the module's text and the student's note."""

    module: str
    notebook: str  # the file name, e.g. sgd.ipynb
    source: str  # the Python module that stands for the notebook
    note: str  # what the grader left out or could not read, in a student's words
    readable: bool


def convert(exercise: str, functions: tuple[str, ...], data: bytes) -> Conversion:
    """The module `exercise` made from the notebook `data` (its `functions` must be defined)."""
    return _convert(exercise, functions, data)


@lru_cache(maxsize=8)
def _convert(exercise: str, functions: tuple[str, ...], data: bytes) -> Conversion:
    notebook = f"{exercise}.ipynb"
    try:
        cells = reading.code_cells(data, notebook)
    except reading.Unreadable as problem:
        source = module.unreadable_source(notebook, str(problem))
        return Conversion(exercise, notebook, source, str(problem), readable=False)
    naming = module.Naming(notebook, cells.by_execution)
    plain = {c.number: ipython.plain_python(c.source) for c in cells.code}
    selection = select([(n, p.source) for n, p in plain.items()], functions)
    source = module.module_source(naming, {c.number: c.source for c in cells.code}, selection)
    commands = [(n, command) for n, p in plain.items() for command in p.commands]
    return Conversion(exercise, notebook, source, _note(naming, commands, selection), True)


def _note(naming: module.Naming, commands: list[tuple[int, str]], selection) -> str:
    """A few sentences: what was graded, what did not run, and why that costs nothing."""
    cells = naming.cells
    parts = [
        f"Graded: the functions of {naming.notebook} as they are after running it from top to "
        "bottom (code cells are counted from the top, code cells only)."
        if not naming.by_execution
        else "Graded: the functions as this notebook's kernel holds them, from the cells in the "
        "order you ran them (named by the number Jupyter shows beside them: [7])."
    ]
    skipped = []
    if commands:
        shown = ", ".join(f"`{c[:40]}`" for _, c in commands[:2])
        more = f" and {len(commands) - 2} more" if len(commands) > 2 else ""
        skipped.append(f"the notebook commands in {cells(n for n, _ in commands)} ({shown}{more})")
    if selection.left_out_cells:
        skipped.append(
            f"the code outside functions in {cells(selection.left_out_cells)} (prints, plots, "
            "training runs)"
        )
    if skipped:
        parts.append(
            f"Not run: {' and '.join(skipped)}. That costs nothing, but a function cannot use a "
            "value computed outside it: compute it inside the function, or pass it as an argument."
        )
    for number, line, message in selection.syntax_errors:
        parts.append(
            f"{naming.cell(number).capitalize()} has a syntax error (line {line}: {message}), "
            "so nothing in it was graded: does that cell run on its own?"
        )
    return " ".join(parts)
