"""Reading a submitted `.ipynb`: its code cells, or one plain sentence saying why it cannot be read.

A notebook is untrusted data: it is parsed with nbformat (the Jupyter project's own reader) and
never run. Whatever is wrong with it (cut off while saving, not JSON, another program's file,
a format from before 2015) is the submission's problem, said as such.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

#: Metadata of a notebook made by the in-notebook check (`check.py`) from the kernel's history:
#: its cells are named by their execution count, as Jupyter shows them (`[7]`).
FROM_KERNEL = "gd_grader_kernel_history"


@dataclass(frozen=True)
class CodeCell:
    """A code cell: its number (among code cells from the top, or its execution count in a
    notebook made from a kernel's history) and its text."""

    number: int
    source: str


@dataclass(frozen=True)
class Cells:
    """The code cells of a notebook, and whether they are numbered by execution count."""

    code: list[CodeCell]
    by_execution: bool


class Unreadable(Exception):
    """The file is no notebook Jupyter could open; the message says why, for the student."""


def code_cells(data: bytes, filename: str) -> Cells:
    """The code cells of the notebook `data`, top to bottom; `Unreadable` if it is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(f"{filename} is not a text file, so it cannot be a notebook.") from None
    if not text.strip():
        raise Unreadable(f"{filename} is empty: was it saved before it was handed in?")
    try:
        import nbformat
        import nbformat.reader

        with warnings.catch_warnings(), _quiet(logging.getLogger("nbformat")):
            warnings.simplefilter("ignore")
            # Read and brought to version 4, without nbformat's full JSON Schema validation
            # (a third of a second per grading; Jupyter opens such notebooks with a warning):
            # what the grader takes from the notebook is checked below, field by field.
            notebook = nbformat.convert(nbformat.reader.reads(text), 4)
            cells = list(notebook.get("cells") or [])
            metadata = notebook.get("metadata")
            by_execution = isinstance(metadata, dict) and bool(metadata.get(FROM_KERNEL))
    except Exception as problem:  # noqa: BLE001 - whatever nbformat makes of a bad file
        raise Unreadable(_why(filename, problem)) from None
    found = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(s for s in source if isinstance(s, str))
        count = cell.get("execution_count")
        number = count if by_execution and type(count) is int else len(found) + 1
        found.append(CodeCell(number, source if isinstance(source, str) else ""))
    return Cells(found, by_execution)


def _why(filename: str, problem: Exception) -> str:
    if type(problem).__name__ == "NotJSONError" or isinstance(problem, ValueError):
        return (
            f"{filename} is not a complete notebook file (it is not valid JSON; it may have "
            "been cut off while saving). Open it in Jupyter, save it again, and hand it in anew."
        )
    return (
        f"{filename} is not a notebook Jupyter can open ({str(problem).splitlines()[0][:200]}). "
        "Open it in Jupyter, save it again, and hand it in anew."
    )


class _quiet:
    """Silence a logger for a while (nbformat logs what it thinks of invalid files)."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def __enter__(self) -> None:
        self.level = self.logger.level
        self.logger.setLevel(logging.CRITICAL + 1)

    def __exit__(self, *exc: object) -> None:
        self.logger.setLevel(self.level)
