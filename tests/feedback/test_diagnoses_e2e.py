"""Golden diagnoses: each listed mistake, graded by the real `grade` command, gets its question.

The submissions are the golden mistakes of tests/cases/mistakes.toml (a copy of `solutions/`
with one text edit). Each is graded with `grade <dir> --suite hidden -o report.json` in a
subprocess, and the report's feedback for the mistaken function must contain the diagnosis.
The runs are shared (tests/conftest.py) with test_golden_mistakes.py, which grades the same cases.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("batch_gradient", "sgd", "logistic_regression")

#: case id -> [(function, words its feedback must contain)] for diagnoses made at the value check.
AT_THE_CHECK = {
    "gradients-missing-factor-2": [("gradients", "exactly half the expected value"),
                                   ("lr_gradient_descent", "gradients are half those")],
    "gradients-sign": [("gradients", "exactly the negative of the expected value"),
                       ("lr_gradient_descent", "climbs uphill")],
    "gradients-divides-by-features": [("gradients", "n / p, the number of observations")],
    "mse-broadcast": [("mse", "becomes an (n, n) matrix")],
    "mse-sum": [("mse", "The loss is a mean over the batch")],
    "predict-no-bias": [("predict", "is what the model gives without b")],
    "update-sign": [("update", "in the opposite direction: uphill")],
    "update-bias-never-updated": [("update", "Your b is exactly the starting value"),
                                  ("lr_gradient_descent", "b has no effect")],
    "descent-global-rng": [("lr_gradient_descent", "Called twice with the same rng")],
    "descent-drops-last-batch": [("lr_gradient_descent", "skips the last, smaller batch")],
    "descent-divides-by-data-size": [("lr_gradient_descent", "the size of the whole data set")],
    "descent-stop-after-update": [("lr_gradient_descent", "stopping rule after the update")],
    "descent-one-permutation": [("lr_gradient_descent", "the same order in every epoch")],
    "descent-reseeds-every-epoch": [("lr_gradient_descent", "the same order in every epoch")],
    "descent-cumulative-shuffle": [("lr_gradient_descent", "the previous epoch's order again")],
    "descent-default-zeros": [("lr_gradient_descent", "starts from w filled with 0")],
    "sgd-step-missing-factor-2": [("sgd_step", "exactly half the expected step"),
                                  ("sgd", "gradients are half those")],
    "sgd-step-sign": [("sgd_step", "in the opposite direction: uphill"), ("sgd", "uphill")],
    "sgd-step-bias-never-updated": [("sgd_step", "Your b is exactly the starting value")],
    "sgd-global-rng": [("sgd", "Called twice with the same rng")],
    "sgd-no-shuffle": [("sgd", "in their original order")],
    "sgd-cumulative-shuffle": [("sgd", "the previous epoch's order again")],
    "sgd-with-replacement": [("sgd", "with replacement")],
    "sgd-stop-after-update": [("sgd", "stopping rule after the update")],
    "sgd-default-zeros": [("sgd", "starts from w filled with 0")],
    "sigmoid-sign": [("sigmoid", "1 - sigmoid(z)")],
    "predict-proba-no-bias": [("predict_proba", "what the model gives without b")],
    "bce-broadcast": [("bce", "becomes an (n, n) matrix")],
    "bce-sign": [("bce", "which sign makes the loss a positive number?")],
    "logistic-gradients-factor-2": [("logistic_gradients", "came from differentiating a square"),
                                    ("logistic_gradient_descent", "twice those of the cross")],
    "logistic-gradients-sign": [("logistic_gradients", "exactly the negative")],
    "logistic-descent-bias-never-updated": [("logistic_gradient_descent", "b has no effect")],
    "logistic-descent-stop-after-update": [("logistic_gradient_descent", "after the update")],
    "logistic-descent-default-ones": [("logistic_gradient_descent", "w filled with 1")],
    "predict-strict-threshold": [("predict", "is your comparison strict?")],
    "predict-ignores-threshold": [("predict", "use the threshold argument?")],
}  # fmt: skip

#: Diagnoses of an exception raised in the worker (warnings are errors there).
FROM_AN_ERROR = {
    "sigmoid-naive": [("sigmoid", "Your sigmoid overflowed")],
    "bce-unclipped": [("bce", "What is log(0)?")],
    "sgd-step-flat-x": [("sgd_step", "A matrix product received shapes that do not fit")],
    "update-in-place": [("update", "NumPy refused to write float results into an integer array")],
}


def checks_wired() -> bool:
    """Whether the value checks ask `explain_check` (the lead wires it into checks.DIAGNOSES)."""
    from grader.suites import checks

    call = checks.Call(
        "batch_gradient", "gradients", (np.eye(2), np.ones((2, 1)), np.ones((2, 1)), 0)
    )
    ctx = checks.Context("gradients", call=call)
    expected = np.array([[1.0], [2.0]])
    return "twice" in (checks.diagnose(ctx, "dw", 2 * expected, expected) or "")


def errors_wired() -> bool:
    """Whether the plugin asks `with_advice` (or `explain_error`) about the student's errors."""
    import grader.plugin

    source = Path(grader.plugin.__file__).read_text(encoding="utf-8")
    return "with_advice" in source or "explain_error" in source


def load_mistakes() -> dict[str, dict]:
    data = tomllib.loads((ROOT / "tests" / "cases" / "mistakes.toml").read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in data["mistake"]}


def sources(entry: dict) -> dict[str, str]:
    """The files of the case's submission: the reference modules with the case's edits."""
    sources = {m: (ROOT / "solutions" / f"{m}.py").read_text(encoding="utf-8") for m in MODULES}
    edits = [(entry["module"], entry["old"], entry["new"])] if "old" in entry else []
    edits += [
        (e.get("module", entry["module"]), e["old"], e["new"]) for e in entry.get("edits", [])
    ]
    for module, old, new in edits:
        assert sources[module].count(old) == 1, f"{entry['id']}: {old!r}"
        sources[module] = sources[module].replace(old, new)
    return {f"{module}.py": text for module, text in sources.items()}


@pytest.fixture(scope="module")
def reports(graded_submissions):
    """Every case graded once, a few at a time, the first time a test needs one.

    The runs come from the session's `graded_submissions` (tests/conftest.py): a case that
    test_golden_mistakes.py has already graded the same way is not graded again.
    """
    mistakes = load_mistakes()

    @cache
    def everything() -> dict[str, dict]:
        ids = [i for i in {**AT_THE_CHECK, **FROM_AN_ERROR} if i in mistakes]
        runs = graded_submissions.get_many(
            [(sources(mistakes[i]), ("--suite", "hidden")) for i in ids]
        )
        for run in runs:
            assert run.returncode == 0, run.stderr
            assert run.report is not None, "grade wrote no report"
        return {i: run.report for i, run in zip(ids, runs, strict=True)}

    return everything


def feedback_of(report: dict, function: str) -> str:
    return "\n".join(
        " ".join(t["feedback"].split())
        for e in report["exercises"]
        for t in e["tests"]
        if t["function"] == function and t["status"] != "passed"
    )


def check_case(reports, case: str, expectations) -> None:
    report = reports()[case]
    for function, words in expectations:
        text = feedback_of(report, function)
        assert text, f"{case}: {function} lost no test"
        assert words in text, f"{case}: {function} feedback lacks {words!r}:\n{text}"


def test_every_case_named_here_exists():
    mistakes = load_mistakes()
    assert set(AT_THE_CHECK) | set(FROM_AN_ERROR) <= set(mistakes)


@pytest.mark.skipif(not checks_wired(), reason="checks.DIAGNOSES does not ask explain_check yet")
@pytest.mark.parametrize(
    ("case", "expectations"), list(AT_THE_CHECK.items()), ids=list(AT_THE_CHECK)
)
def test_the_diagnosis_reaches_the_report(reports, case, expectations):
    check_case(reports, case, expectations)


@pytest.mark.skipif(not errors_wired(), reason="the plugin does not ask explain_error yet")
@pytest.mark.parametrize(
    ("case", "expectations"), list(FROM_AN_ERROR.items()), ids=list(FROM_AN_ERROR)
)
def test_the_diagnosis_of_an_error_reaches_the_report(reports, case, expectations):
    check_case(reports, case, expectations)
