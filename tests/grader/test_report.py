"""The native report: versioned, schema-valid, round-trips, written atomically."""

from __future__ import annotations

import json

import pytest

from grader.report import SCHEMA_VERSION, Report, write_json_atomically


def test_native_report_validates_and_leads_with_its_version(small_report, validate_report):
    document = validate_report(small_report.as_json())
    assert next(iter(document)) == "schema_version" and document["schema_version"] == SCHEMA_VERSION
    assert [t["status"] for e in document["exercises"] for t in e["tests"]] == [
        "passed", "failed", "error", "timeout"
    ]  # fmt: skip


def test_schema_rejects_an_unknown_status(small_report, validate_report):
    document = small_report.as_json()
    document["exercises"][0]["tests"][0]["status"] = "skipped"
    with pytest.raises(Exception, match="skipped"):
        validate_report(document)


def test_report_round_trips_through_json(small_report):
    again = Report.from_json(json.loads(json.dumps(small_report.as_json())))
    assert again == small_report


def test_from_json_refuses_another_schema_version(small_report):
    document = small_report.as_json() | {"schema_version": 99}
    with pytest.raises(ValueError, match="schema_version"):
        Report.from_json(document)


def test_atomic_write_replaces_a_planted_symlink_instead_of_following_it(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious")
    link = tmp_path / "report.json"
    link.symlink_to(target)
    write_json_atomically(link, {"score": 1})
    assert not link.is_symlink() and json.loads(link.read_text()) == {"score": 1}
    assert target.read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_atomic_write_refuses_nan(tmp_path):
    with pytest.raises(ValueError):
        write_json_atomically(tmp_path / "r.json", {"score": float("nan")})
    assert not (tmp_path / "r.json").exists()
