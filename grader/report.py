"""The score report: typed, versioned data, serialised in one place (`Report.as_json`)."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from grader.text import visible

#: Bump when a field changes meaning or disappears; adding optional fields keeps the version.
SCHEMA_VERSION = 2
SCHEMA_FILE = Path(__file__).with_name("schema") / "report.schema.json"


class Status(str, Enum):
    """The outcome of one test (CONTRACT §4)."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    TIMEOUT = "timeout"


@dataclass
class TestResult:
    """One test: what it checked, how it went, and what the student can do about it."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    function: str
    status: Status
    score: float
    max_score: float
    feedback: str = ""
    seconds: float = 0.0
    output: str = ""
    grader_error: bool = False


@dataclass
class ExerciseResult:
    """One exercise (a module of the submission) and its tests."""

    name: str
    title: str
    score: float
    max_score: float
    tests: list[TestResult] = field(default_factory=list)
    #: Set when the submission holds `<name>.ipynb` (CONTRACT §5): {"file", "graded", "note"},
    #: the note saying once what the grader left out of the notebook. Absent otherwise.
    notebook: dict[str, Any] | None = None


@dataclass
class Report:
    """A whole grading run of one submission against one suite."""

    suite: str
    suite_digest: str
    grader_version: str
    submission: str
    score: float
    max_score: float
    exercises: list[ExerciseResult]
    started_at: str
    seconds: float
    grader_errors: list[str] = field(default_factory=list)
    output_note: str = ""
    #: What confined the submission (grader/sandbox/confinement.py): mode, filesystem, ...
    confinement: dict[str, Any] = field(
        default_factory=lambda: {"mode": "none", "filesystem": None}
    )
    schema_version: int = SCHEMA_VERSION

    @property
    def tests(self) -> list[TestResult]:
        return [t for e in self.exercises for t in e.tests]

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def as_json(self) -> dict[str, Any]:
        """The native JSON report (validated by `schema/report.schema.json`).

        Text keeps what the submission made of it, except lone surrogates (an exception message
        can hold one), which are written as their escape: the document is always valid UTF-8.
        """
        data = self.well_formed(asdict(self))
        for exercise in data["exercises"]:
            if exercise["notebook"] is None:
                del exercise["notebook"]
            for test in exercise["tests"]:
                test["status"] = Status(test["status"]).value
        # Put the version first: it is what a reader checks before anything else.
        return {"schema_version": data.pop("schema_version"), **data}

    @staticmethod
    def well_formed(node: Any) -> Any:
        """A JSON tree whose strings hold no lone surrogate (written as their escape)."""
        if isinstance(node, str):
            return visible(node, controls=False)
        if isinstance(node, dict):
            return {key: Report.well_formed(value) for key, value in node.items()}
        if isinstance(node, list):
            return [Report.well_formed(value) for value in node]
        return node

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report written by `as_json` (for `grade batch` resume and tooling)."""
        data = dict(data)
        if data.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(
                f"report schema_version {data.get('schema_version')!r} is not {SCHEMA_VERSION}"
            )
        exercises = [
            ExerciseResult(
                **{
                    **e,
                    "tests": [
                        TestResult(**{**t, "status": Status(t["status"])}) for t in e["tests"]
                    ],
                }
            )
            for e in data.pop("exercises")
        ]
        return cls(**data, exercises=exercises)


def points(x: float) -> str:
    """Points as people read them: at most two decimals, no trailing zeros (9.56, 10, 2.5)."""
    return f"{round(x, 2):.2f}".rstrip("0").rstrip(".")


def write_json_atomically(path: Path, document: Any) -> None:
    """Write `document` as JSON to `path` so that readers see the old file or the new, never half.

    A temporary file in the same folder is renamed over `path`; a symlink planted at `path` is
    replaced, not followed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=2, allow_nan=False)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
