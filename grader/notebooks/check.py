"""Checking an exercise from inside its notebook: `check("sgd")` in a cell (Jupyter, Colab).

What is checked is what the kernel holds now: the cells as they were run, in the order they
were run (IPython's input history), not the `.ipynb` file, which Jupyter may not have saved yet.
Those cells become a notebook in a temporary folder, graded by `grade` in a subprocess exactly
as a handed-in notebook is: the same conversion (nothing of it runs outside the worker), the
same isolated worker, the same public suite. The summary, with its guiding questions, is
printed in the notebook.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from grader import defaults
from grader.course import load_course
from grader.notebooks.reading import FROM_KERNEL

#: The folder name the summary shows ("Grading this-notebook/ ...").
FOLDER = "this-notebook"
#: A bound on one check, far above a normal one (a few seconds), so that a cell never hangs.
WALL_LIMIT = 600


class NotInNotebook(RuntimeError):
    """`check` was called outside an IPython kernel: there is no notebook to check."""


def check(exercise: str, *, suite: str = "public", timeout: float = defaults.TIMEOUT) -> None:
    """Grade `exercise` (e.g. "sgd") as this notebook's kernel holds it, and print the summary."""
    modules = [e.module for e in load_course().exercises]
    exercise = exercise.removesuffix(".ipynb").removesuffix(".py")
    if exercise not in modules:
        raise ValueError(f"{exercise!r} is not an exercise; choose one of {', '.join(modules)}.")
    text = _summary(exercise, kernel_cells(), suite=suite, timeout=timeout)
    print(text)


def kernel_cells() -> list[str]:
    """The code of every cell this kernel has run, in the order it ran them, but this one: the
    text of In[1], In[2], ..."""
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is None:
        raise NotInNotebook(
            "check() runs in a Jupyter or Colab notebook; in a terminal, run `grade` instead."
        )
    return list(shell.history_manager.input_hist_raw)[1:-1]  # In[1] .. In[now - 1]


def _summary(exercise: str, cells: list[str], *, suite: str, timeout: float) -> str:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    with tempfile.TemporaryDirectory(prefix="gd-check-") as scratch:
        folder = Path(scratch) / FOLDER
        folder.mkdir()
        folder.chmod(0o755)
        Path(scratch).chmod(0o755)  # a worker of another user (run as root, e.g. Colab) enters
        notebook = new_notebook(
            cells=[new_code_cell(c, execution_count=n) for n, c in enumerate(cells, start=1)],
            metadata={FROM_KERNEL: True},
        )
        (folder / f"{exercise}.ipynb").write_text(nbformat.writes(notebook), encoding="utf-8")
        out = Path(scratch) / "report.json"
        command = [sys.executable, "-I", "-m", "grader", str(folder), "--suite", suite,
                   "--timeout", f"{timeout:g}", "-o", str(out)]  # fmt: skip
        done = subprocess.run(
            command, cwd=scratch, capture_output=True, text=True, timeout=WALL_LIMIT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        if not out.is_file():
            return f"The check could not run:\n{done.stderr.strip() or done.stdout.strip()}"
        document = json.loads(out.read_text(encoding="utf-8"))
    return _one_exercise_summary(document, exercise)


def _one_exercise_summary(document: dict, exercise: str) -> str:
    """The summary of `grade` for this notebook's exercise only (the others are not here)."""
    from grader.report import Report
    from grader.summary import summary

    report = Report.from_json(document)
    report.exercises = [e for e in report.exercises if e.name == exercise]
    report.score = report.exercises[0].score
    report.max_score = report.exercises[0].max_score
    return summary(report)
