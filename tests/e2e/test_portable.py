"""The portable sandbox through the real CLI (GRADE_SANDBOX=portable): what Windows and macOS
students get. The reference gets full marks, the report says what confined it, and the hostile
cases that need no Linux feature (hangs, exits, crashes, output floods, detached processes,
forged reports) are graded honestly, bounded in time, leaving no process behind."""

from __future__ import annotations

import json
import os

import hostile_casebook as casebook  # loaded by conftest.py
import psutil
import pytest

#: Hostile cases whose promises hold without Linux features.
PORTABLE_CASES = (
    "infinite_loop", "sleep_at_import", "exit_calls", "segfault", "print_flood", "forge_detached",
    "forge_at_import", "atexit_handlers", "exception_at_import", "lying_objects", "wrong_dtypes",
    "huge_arrays", "pytest_config_files",
)  # fmt: skip
CASES = {c.id: c for c in casebook.load_cases() if c.id in PORTABLE_CASES}


@pytest.fixture(autouse=True)
def portable(monkeypatch):
    monkeypatch.setenv("GRADE_SANDBOX", "portable")


def test_the_reference_gets_full_marks_in_the_portable_sandbox(grade):
    graded = grade(str(casebook.SOLUTIONS), "--suite", "hidden")
    assert graded.returncode == 0
    report = graded.report
    assert report["score"] == report["max_score"] == 25 and report["grader_errors"] == []
    confinement = report["confinement"]
    assert confinement["mode"] == "portable" and confinement["filesystem"] is None
    assert "portable sandbox" in graded.stdout and "filesystem" in graded.stdout


def test_the_stubs_get_zero_without_a_grader_error(grade):
    graded = grade(str(casebook.ROOT / "exercises"), "--suite", "hidden")
    assert graded.returncode == 0 and graded.report["score"] == 0
    assert graded.report["grader_errors"] == []


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_a_hostile_submission_is_graded_honestly_in_the_portable_sandbox(case_id, report_validator):
    case = CASES[case_id]
    prepared = casebook.prepare(case)
    try:
        run = casebook.grade(prepared)
        assert run.returncode == 0, run.stderr[-3000:]
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
        assert run.seconds < 30 + 3 * case.budget
        assert prepared.marker.encode() not in run.report_bytes, "a forged report"
        if case.format != "native":  # the platform's format: its score is all there is
            assert json.loads(run.report_bytes)["score"] == 25 - _points_of(case)
            return
        report = json.loads(run.report_bytes)
        report_validator.validate(report)
        assert report["confinement"]["mode"] == "portable"
        for exercise in report["exercises"]:
            for test in exercise["tests"]:
                attacked = exercise["name"] == case.module and test["function"] in case.zero
                if not attacked and case.module != exercise["name"]:
                    assert test["score"] == test["max_score"], (case_id, test["name"])
                if attacked:
                    assert test["score"] == 0, (case_id, test["name"])
        left = [p.pid for p in psutil.process_iter() if _marked(p, prepared)]
        assert left == [], f"{case_id}: processes left {left}"
    finally:
        casebook.remove(prepared)


def _points_of(case) -> float:
    """What the attacked functions are worth (the rest of the submission is the reference's)."""
    from grader.course import load_course

    exercise = next(e for e in load_course().exercises if e.module == case.module)
    return sum(f.points for f in exercise.functions if f.name in case.zero)


def _marked(process: psutil.Process, prepared) -> bool:
    try:
        if any(prepared.marker in part for part in process.cmdline()):
            return True
        environ = process.environ()
    except psutil.Error:
        return False
    tokens = casebook.reported(prepared, "tokens")
    return prepared.marker in environ.values() or environ.get("GD_SANDBOX") in tokens


@pytest.mark.skipif(os.name != "posix", reason="uses the casebook's POSIX folders")
def test_every_portable_case_exists():
    assert set(CASES) == set(PORTABLE_CASES)
