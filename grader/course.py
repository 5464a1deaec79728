"""The course metadata (`course.toml`): exercises, their functions, points and hints."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

COURSE_FILE = Path(__file__).with_name("course.toml")


@dataclass(frozen=True)
class Function:
    """One function of an exercise: its name, the points it is worth and its hints."""

    name: str
    points: float
    hints: tuple[str, ...]


@dataclass(frozen=True)
class Exercise:
    """One exercise: a module of the submission and the functions it must define."""

    module: str
    title: str
    functions: tuple[Function, ...]

    @property
    def max_score(self) -> float:
        return sum(f.points for f in self.functions)

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    def function(self, name: str) -> Function:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(f"{self.module} has no function {name!r}")


@dataclass(frozen=True)
class Course:
    """The whole course, in the order of the notes."""

    notes: str
    exercises: tuple[Exercise, ...]

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    def exercise(self, module: str) -> Exercise:
        for e in self.exercises:
            if e.module == module:
                return e
        raise KeyError(f"no exercise {module!r}")


@cache
def load_course(path: Path = COURSE_FILE) -> Course:
    """Read and check the course metadata file."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    exercises = tuple(
        Exercise(
            module=e["module"],
            title=e["title"],
            functions=tuple(
                Function(name=f["name"], points=float(f["points"]), hints=tuple(f["hints"]))
                for f in e["functions"]
            ),
        )
        for e in data["exercises"]
    )
    return Course(notes=data["notes"], exercises=exercises)
