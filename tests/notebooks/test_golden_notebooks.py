"""Golden cases as notebooks: each scores exactly what its module version scores, through `grade`.

The correct styles and a spread of the mistakes of tests/cases/mistakes.toml, and broken
submissions (untouched stubs, functions that end the process or raise), are each graded twice
with the hidden suite: as modules, and as notebooks written the ways students write them
(studentlike.py: magics, shell lines, exploration, a plotting cell, a failing scratch cell).
"""

from __future__ import annotations

import pytest
import studentlike
from nbcases import MODULES, SOLUTIONS, STUBS, golden, reference

CORRECT = ["loops", "vectorised-alternatives", "notes-style", "shuffled-data", "sgd-via-minibatch"]
BUGGY = [
    "gradients-missing-factor-2", "mse-broadcast", "update-in-place", "descent-global-rng",
    "sgd-step-flat-x", "sgd-default-eta", "sigmoid-naive", "bce-unclipped",
    "logistic-descent-default-ones", "predict-missing-return",
]  # fmt: skip
ENDS = (
    "\n\ndef predict(X, w, b):\n    import sys\n    sys.exit(0)\n"
    "\n\ndef mse(y_pred, y_true):\n    import os\n    os._exit(0)\n"
)
RAISES = "\n\ndef sgd_step(x, y, w, b, eta):\n    return w[5], b\n"
BROKEN = {
    "untouched-stubs": {f"{m}.py": (STUBS / f"{m}.py").read_text() for m in MODULES},
    "ends-the-process": reference(
        batch_gradient=(SOLUTIONS / "batch_gradient.py").read_text() + ENDS
    ),
    "raises": reference(sgd=(SOLUTIONS / "sgd.py").read_text() + RAISES),
}


def _modules(case_id: str) -> dict[str, str]:
    if case_id in BROKEN:
        return BROKEN[case_id]
    case = next(c for c in golden.CASES if c.id == case_id)
    return {f"{m}.py": text for m, text in case.sources().items()}


IDS = CORRECT + BUGGY + list(BROKEN)


@pytest.fixture(scope="module")
def runs(graded_submissions):
    """Every case, as modules and as notebooks, graded with the hidden suite (2 at a time)."""
    wanted = []
    for case_id in IDS:
        files = _modules(case_id)
        wanted += [(files, ("--suite", "hidden")),
                   (studentlike.as_notebooks(files), ("--suite", "hidden"))]  # fmt: skip
    done = graded_submissions.get_many(wanted)
    return {case_id: (done[2 * i], done[2 * i + 1]) for i, case_id in enumerate(IDS)}


def outcomes(report: dict) -> list[tuple]:
    return [
        (e["name"], e["score"], [(t["name"], t["status"], t["score"]) for t in e["tests"]])
        for e in report["exercises"]
    ]


@pytest.mark.parametrize("case_id", IDS)
def test_the_notebook_scores_what_the_module_scores(case_id, runs, validator):
    as_module, as_notebook = runs[case_id]
    assert as_notebook.returncode == 0, as_notebook.stderr[-2000:]
    assert "Traceback" not in as_notebook.stderr, as_notebook.stderr[-2000:]
    validator.validate(as_notebook.report)
    assert not as_notebook.report["grader_errors"]
    assert outcomes(as_notebook.report) == outcomes(as_module.report)
    assert as_notebook.report["score"] == as_module.report["score"]
    for exercise in as_notebook.report["exercises"]:
        note = exercise["notebook"]
        assert note["file"] == f"{exercise['name']}.ipynb" and note["graded"]
        assert (
            "`!pip install -q numpy`" in note["note"] and "code outside functions" in note["note"]
        )
        assert "syntax error" not in note["note"]
    if case_id in CORRECT:
        assert as_notebook.report["score"] == as_notebook.report["max_score"]


def test_feedback_names_the_notebook_and_tracebacks_point_at_its_cells(runs):
    _, as_notebook = runs["raises"]
    sgd = next(e for e in as_notebook.report["exercises"] if e["name"] == "sgd")
    failed = [t for t in sgd["tests"] if t["function"] == "sgd_step"]
    assert failed and all(t["status"] == "error" for t in failed)
    assert 'File "sgd.ipynb, code cell ' in failed[0]["feedback"]
    assert "return w[5], b" in failed[0]["feedback"]  # the student's line, shown
    assert "sgd.py" not in failed[0]["feedback"]


def test_the_summary_says_once_per_notebook_what_was_not_run(runs):
    _, as_notebook = runs["loops"]
    text = " ".join(as_notebook.stdout.split())  # unwrapped
    assert text.count("Not run: the notebook commands") == len(MODULES)
    assert "Notebooks" in as_notebook.stdout
