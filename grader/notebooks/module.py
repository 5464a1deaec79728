"""The module made from a notebook: the kept statements, run cell by cell under the cell's name.

Each kept statement is compiled with the notebook's name and cell as its file name
(`sgd.ipynb, code cell 4`) and the cell's text put in `linecache`, so that a traceback shown to
the student points at the cell and line they wrote. A kept statement that raises an `Exception`
(an import of a package not installed where grading runs, a default value that needs a variable
of a left-out cell) is reported on stderr and skipped, as Jupyter goes on to the next cell; an
exit or an interrupt at that point ends the import, as it would for a module.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.notebooks.select import Selection

_LOADER = """\
# Made by the grader from {notebook}: only its definitions and what they need, as the notebook
# has them after running from top to bottom. Not the student's file; remade at every grading.


def _gd_run_cells(cells, statements):
    import linecache
    import sys

    for name, text in cells:
        linecache.cache[name] = (len(text), None, text.splitlines(True), name)
    for name, code in statements:
        try:
            exec(compile(code, name, "exec"), globals())
        except Exception as problem:
            where = getattr(problem, "__traceback__", None)
            while where is not None and where.tb_next is not None:
                where = where.tb_next
            line = f", line {{where.tb_lineno}}" if where is not None else ""
            try:
                print(
                    f"[grader] {{name}}{{line}}: {{type(problem).__name__}}: {{problem}} (the "
                    "grader went on without this statement, as Jupyter goes on to the next cell)",
                    file=sys.stderr,
                )
            except Exception:
                pass


_gd_run_cells(
    {cells!r},
    {statements!r},
)
del _gd_run_cells
"""

_UNREADABLE = """\
# Made by the grader from {notebook}, which could not be read as a notebook.


class NotebookUnreadable(Exception):
    pass


raise NotebookUnreadable({message!r})
"""


@dataclass(frozen=True)
class Naming:
    """How tracebacks and notes name the cells of `notebook`: code cells counted from the top
    (`code cell 3`), or, in a notebook made from a kernel's history, by execution count (`[7]`)."""

    notebook: str
    by_execution: bool = False

    def cell(self, number: int) -> str:
        return f"cell [{number}]" if self.by_execution else f"code cell {number}"

    def cells(self, numbers, most: int = 6) -> str:
        """`code cell 4`, `code cells 2, 5 and 7`, `code cells 1, 2, 3, 4, 5 and 3 more`."""
        numbers = sorted(set(numbers))
        if self.by_execution:
            shown = [f"[{n}]" for n in numbers]
            head = "cell " if len(numbers) == 1 else "cells "
        else:
            shown = [str(n) for n in numbers]
            head = "code cell " if len(numbers) == 1 else "code cells "
        if len(shown) == 1:
            return head + shown[0]
        if len(shown) > most:
            return head + ", ".join(shown[: most - 1]) + f" and {len(shown) - most + 1} more"
        return head + ", ".join(shown[:-1]) + f" and {shown[-1]}"

    def file_name(self, number: int) -> str:
        """The file name a traceback shows for the cell: `sgd.ipynb, code cell 3`."""
        return f"{self.notebook}, {self.cell(number)}"


def module_source(naming: Naming, cells: dict[int, str], selection: Selection) -> str:
    """The Python module standing for the notebook: `cells` are the code cells' original texts."""
    used = sorted({s.cell for s in selection.kept})
    return _LOADER.format(
        notebook=naming.notebook,
        cells=[(naming.file_name(n), cells[n]) for n in used],
        statements=[(naming.file_name(s.cell), s.code) for s in selection.kept],
    )


def unreadable_source(notebook: str, message: str) -> str:
    """A module whose import fails with `message`: the notebook could not be read."""
    return _UNREADABLE.format(notebook=notebook, message=message)
