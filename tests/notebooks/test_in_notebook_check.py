"""The check cell, run by a real Jupyter kernel (nbclient): it grades what the kernel holds now.

The sgd notebook of the handout is filled in with a wrong `sgd_step` and checked, then a later
cell fixes `sgd_step` and the check runs again. The notebook file itself never changes on disk
(nbclient runs it in memory), so the second summary can only come from the kernel's state.
"""

from __future__ import annotations

import re

import nbformat
import pytest
import studentlike
from nbcases import SOLUTIONS
from nbformat.v4 import new_code_cell

from grader.course import load_course
from grader.instructor.notebook_handout import exercise_notebook

nbclient = pytest.importorskip("nbclient")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _outputs(cell) -> str:
    return ANSI.sub("", "".join(o.get("text", "") for o in cell.get("outputs", [])))


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("in-notebook")
    exercise = load_course().exercise("sgd")
    handout = exercise_notebook(exercise, SOLUTIONS.parent / "exercises" / "sgd.py")
    source = (SOLUTIONS / "sgd.py").read_text(encoding="utf-8")
    start = source.index("def sgd_step")
    right_step = source[start : source.index("\ndef ", start + 1)]
    wrong_step = "def sgd_step(x, y, w, b, eta):\n    return w, b  # forgot the update\n"
    nb = nbformat.reads(studentlike.fill_in(handout, source.replace(right_step, wrong_step)), 4)
    nb.cells += [new_code_cell("print(undefined_name)  # a scratch cell left failing")]
    nb.cells += [new_code_cell(right_step), new_code_cell('check("sgd")')]
    path = folder / "sgd.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(folder)}},
    )  # fmt: skip
    client.execute()
    assert path.read_bytes() == before  # nothing was saved: only the kernel knew the fix
    checks = [c for c in nb.cells if c.cell_type == "code" and 'check("sgd")' in c.source]
    return [_outputs(c) for c in checks]


def test_the_check_shows_the_summary_and_a_guiding_question_for_a_wrong_function(executed):
    first, _ = executed
    assert "Grading this-notebook/ with the public suite" in first
    assert re.search(r"sgd\s+\d+(\.\d+)? / 5", first) and "/ 5 " in first
    assert "FAIL sgd.sgd_step" in first or "ERROR sgd.sgd_step" in first
    assert "Total: 5 / 5" not in first
    assert "grade hint sgd.sgd_step" in first
    assert "Traceback" not in first.split("What to look at")[0]


def test_the_check_sees_the_fix_the_kernel_holds_now(executed):
    _, second = executed
    assert "Total: 5 / 5 (100%)" in second, second
    # Cells are named by the number Jupyter shows beside them; the scratch cell and the first
    # check were left out.
    assert re.search(r"cells \[\d+\] and \[\d+\]", " ".join(second.split())), second
