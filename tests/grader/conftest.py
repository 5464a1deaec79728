"""Shared helpers of the grader's tests: the schema validator and a small synthetic report."""

from __future__ import annotations

import json

import jsonschema
import pytest

from grader.report import SCHEMA_FILE, ExerciseResult, Report, Status, TestResult


@pytest.fixture(scope="session")
def validate_report():
    """Validate a native report against the shipped JSON Schema (raises on any violation)."""
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    def validate(document: dict) -> dict:
        validator.validate(document)
        return document

    return validate


@pytest.fixture
def small_report() -> Report:
    """A report with one test of each status."""
    tests = [
        TestResult("gradients: passes", "gradients", Status.PASSED, 1.5, 1.5),
        TestResult("gradients: fails", "gradients", Status.FAILED, 0.0, 1.5, "dw is off."),
        TestResult(
            "predict: errors", "predict", Status.ERROR, 0.0, 1.0, "ValueError", output="hi\n"
        ),
    ]
    exercises = [
        ExerciseResult("batch_gradient", "Exercise 1", 1.5, 4.0, tests),
        ExerciseResult("sgd", "Exercise 2", 0.0, 1.0, [
            TestResult("sgd: hangs", "sgd", Status.TIMEOUT, 0.0, 1.0, "did not finish"),
        ]),
    ]  # fmt: skip
    return Report(
        suite="hidden",
        suite_digest="sha256:" + "0" * 64,
        grader_version="0.1.0",
        submission="alice",
        score=1.5,
        max_score=5.0,
        exercises=exercises,
        started_at="2026-11-26T03:00:00+00:00",
        seconds=0.5,
    )
