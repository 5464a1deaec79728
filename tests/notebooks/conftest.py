"""Fixtures of the notebook tests; this folder's helpers (nbcases, studentlike) importable.

Golden runs come from the session's `graded_submissions` (tests/conftest.py), keyed by their
files: the module versions are the very runs tests/e2e/test_golden_mistakes.py makes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

from grader.report import SCHEMA_FILE

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def validator():
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)
