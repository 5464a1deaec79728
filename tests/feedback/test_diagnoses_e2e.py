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


# --- the public suite names mistakes as well as the hidden one -----------------------------------
#
# Each golden mistake is also graded with `--suite public`. Wherever the public suite fails a
# function whose hidden feedback names the mistake (the tables above), the public feedback must
# name it too: with the same words, or, where the hidden words come from re-running the reference
# (instructor-only, never in the handout), with the words of the public worked example that
# shows the same rule.

#: (case, function) -> the public words, where they differ from the hidden ones.
PUBLIC_WORDS = {
    ("update-bias-never-updated", "lr_gradient_descent"): "Your b is exactly the starting value",
    ("descent-global-rng", "lr_gradient_descent"): "never from NumPy's global functions",
    ("descent-drops-last-batch", "lr_gradient_descent"): "reach the last, smaller batch",
    ("descent-divides-by-data-size", "lr_gradient_descent"): "the size of its own batch",
    ("descent-stop-after-update", "lr_gradient_descent"): "Does your check come before the update",
    ("descent-one-permutation", "lr_gradient_descent"): "draw its own rng.permutation(n), once",
    ("descent-reseeds-every-epoch", "lr_gradient_descent"): "draw its own rng.permutation(n)",
    ("descent-cumulative-shuffle", "lr_gradient_descent"): "draw its own rng.permutation(n)",
    ("logistic-descent-bias-never-updated", "logistic_gradient_descent"): (
        "Your b is exactly the starting value"
    ),
    ("sgd-global-rng", "sgd"): "never from NumPy's global functions",
    ("sgd-no-shuffle", "sgd"): "in the order rng.permutation(12)",
    ("sgd-cumulative-shuffle", "sgd"): "draw its own rng.permutation(n)",
    ("sgd-with-replacement", "sgd"): "every row once",
    ("sgd-stop-after-update", "sgd"): "Does your check come before the update",
    ("logistic-gradients-factor-2", "logistic_gradient_descent"): "twice those of the cross",
    ("logistic-descent-stop-after-update", "logistic_gradient_descent"): "before the update",
}

#: Loop-semantics mistakes that pass a weaker public suite: the public suite must catch them.
LOOP_SEMANTICS = [
    "descent-drops-last-batch", "descent-divides-by-data-size", "descent-divides-by-batch-size",
    "descent-global-rng", "descent-ignores-given-generator", "descent-stop-after-update",
    "descent-prev-loss-zero", "descent-one-permutation", "descent-reseeds-every-epoch",
    "descent-cumulative-shuffle", "descent-extra-epoch", "descent-default-max-iter",
    "descent-in-place",
    "sgd-global-rng", "sgd-ignores-given-generator", "sgd-no-shuffle", "sgd-cumulative-shuffle",
    "sgd-with-replacement", "sgd-stop-after-update", "sgd-in-place",
    "logistic-descent-stop-after-update", "logistic-descent-one-iteration-short",
    "logistic-descent-default-max-iter", "logistic-descent-in-place",
]  # fmt: skip

EXPECTED = {**AT_THE_CHECK}
for _case, _pairs in FROM_AN_ERROR.items():
    EXPECTED[_case] = EXPECTED.get(_case, []) + _pairs


@pytest.fixture(scope="module")
def runs(graded_submissions):
    """`runs(case)` -> (public report, hidden report), every case graded at the first call."""
    mistakes = load_mistakes()
    ids = sorted(set(EXPECTED) | set(LOOP_SEMANTICS))
    cache: dict[str, tuple[dict, dict]] = {}

    def get(case: str) -> tuple[dict, dict]:
        if not cache:
            wanted = [
                (sources(mistakes[i]), ("--suite", s)) for i in ids for s in ("public", "hidden")
            ]
            done = graded_submissions.get_many(wanted)
            for n, i in enumerate(ids):
                public, hidden = done[2 * n], done[2 * n + 1]
                assert public.returncode == 0 and hidden.returncode == 0, public.stderr
                cache[i] = (public.report, hidden.report)
        return cache[case]

    return get


def failed(report: dict, function: str) -> bool:
    return any(
        t["function"] == function and t["status"] != "passed"
        for e in report["exercises"]
        for t in e["tests"]
    )


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_public_feedback_names_the_mistake_as_the_hidden_does(runs, case):
    public, hidden = runs(case)
    compared = 0
    for function, words in EXPECTED[case]:
        if not failed(public, function):
            continue
        assert words in feedback_of(hidden, function), f"{case}: hidden lacks {words!r}"
        wanted = PUBLIC_WORDS.get((case, function), words)
        text = feedback_of(public, function)
        assert wanted in text, f"{case}: public {function} feedback lacks {wanted!r}:\n{text}"
        compared += 1
    if not any(failed(public, f) for f, _ in EXPECTED[case]):
        pytest.skip(f"the public suite does not fail {case} in the functions the hidden names")
    assert compared


@pytest.mark.parametrize("case", LOOP_SEMANTICS)
def test_public_suite_catches_the_loop_semantics(runs, case):
    """A green public run no longer hides these: the public suite loses points too."""
    public, _ = runs(case)
    entry = load_mistakes()[case]
    for function in entry["loses"]:
        assert failed(public, function), f"{case}: the public suite passes {function}"


def test_a_diagnosis_never_calls_the_students_code_again(graded_submissions):
    """A wrong value is diagnosed from what was observed: the student's function is called once
    per check, so a stateful submission cannot learn from a second call that its answer was
    wrong. (The submission prints its inputs at every call; no failed test shows a repeat, but
    the one that asks for the same result twice by design, before any verdict.)"""
    files = sources(load_mistakes()["descent-drops-last-batch"])
    files["batch_gradient.py"] = files["batch_gradient.py"].replace(
        "    X = np.asarray(X, dtype=float)\n    y = _column(y)\n    n, p = X.shape\n    rng =",
        "    print('CALL', repr((np.asarray(X).tobytes(), np.asarray(y).tobytes(), batch_size,"
        " eta, max_iter, tol, repr(rng)))[-60:])\n"
        "    X = np.asarray(X, dtype=float)\n    y = _column(y)\n    n, p = X.shape\n    rng =",
    )
    assert "print('CALL'" in files["batch_gradient.py"]
    run = graded_submissions.get(files, "--suite", "hidden")
    assert run.returncode == 0, run.stderr
    tests = [t for e in run.report["exercises"] for t in e["tests"]
             if t["function"] == "lr_gradient_descent" and t["status"] == "failed"
             and "every time" not in t["name"]]  # fmt: skip
    assert tests and any("skips the last, smaller batch" in t["feedback"] for t in tests)
    for test in tests:
        calls = [line for line in test["output"].splitlines() if line.startswith("CALL")]
        assert len(calls) == len(set(calls)) >= 1, test["output"]
