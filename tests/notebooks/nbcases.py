"""What the notebook tests share: the golden cases (read from tests/e2e), the reference, stubs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
STUBS = ROOT / "exercises"
MODULES = ("batch_gradient", "sgd", "logistic_regression")


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


golden = _load(ROOT / "tests" / "e2e" / "test_golden_mistakes.py", "_golden_cases_for_notebooks")


def reference(**replaced: str) -> dict[str, str]:
    """The reference modules as `<module>.py` files, some replaced by the given sources."""
    return {
        f"{m}.py": replaced.get(m) or (SOLUTIONS / f"{m}.py").read_text(encoding="utf-8")
        for m in MODULES
    }
