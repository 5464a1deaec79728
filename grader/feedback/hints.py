"""`grade hint`: the hints of course.toml, one guiding question at a time.

Each `grade hint NAME` shows the next hint the student has not seen yet for NAME (a function such
as `gradients`, `module.function` such as `logistic_regression.predict`, or an exercise by its
file name such as `sgd.py`), and remembers how many it has shown in a small JSON file in the
user's cache folder (`GRADE_STATE_DIR` overrides it), never in the student's project: one file
per course, so that two courses (or two copies of a handout) never share their progress.
`--all` shows every hint of NAME at once; `--reset` forgets.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from grader.course import COURSE_FILE, Course, Exercise, Function, load_course

STATE_FILE = "hints.json"
WIDTH = 88


class UnknownName(ValueError):
    """NAME is not an exercise or a function of the course; the message lists the valid names."""


@dataclass(frozen=True)
class Target:
    """One function of one exercise, as `grade hint` addresses it."""

    exercise: Exercise
    function: Function

    @property
    def key(self) -> str:
        return f"{self.exercise.module}.{self.function.name}"


def state_dir() -> Path:
    """Where `grade` keeps what it remembers for this user (not inside the student's folder)."""
    if os.environ.get("GRADE_STATE_DIR"):
        return Path(os.environ["GRADE_STATE_DIR"])
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "gd-autograder"


def course_state_dir(course_file: Path = COURSE_FILE) -> Path:
    """The folder of one course's progress: named after where its course.toml is installed, so
    each course, and each copy of a handout (each has its own install), keeps its own."""
    where = str(Path(course_file).resolve())
    return state_dir() / "courses" / hashlib.sha256(where.encode("utf-8")).hexdigest()[:16]


def resolve(name: str, course: Course) -> list[Target]:
    """The functions NAME stands for (all of an exercise's, in order), or UnknownName.

    A function's name wins over an exercise's (`sgd` is both): the summary after a run names
    functions. An exercise is also reachable by its file name (`sgd.py`) or number (`2`).
    """
    wanted = name.strip().lower()
    for number, exercise in enumerate(course.exercises, 1):
        if wanted in (exercise.filename, str(number)):
            return [Target(exercise, f) for f in exercise.functions]
    targets = [
        Target(e, f)
        for e in course.exercises
        for f in e.functions
        if wanted in (f.name, f"{e.module}.{f.name}")
    ]
    if len(targets) > 1:
        choices = " or ".join(f"`grade hint {t.key}`" for t in targets)
        raise UnknownName(f"{name!r} is a function of more than one exercise: use {choices}.")
    if targets:
        return targets
    for exercise in course.exercises:
        if wanted == exercise.module:
            return [Target(exercise, f) for f in exercise.functions]
    raise UnknownName(unknown_message(name, course))


def unknown_message(name: str, course: Course) -> str:
    names = valid_names(course)
    close = difflib.get_close_matches(name.lower(), names, n=1)
    guess = f" Did you mean {close[0]!r}?" if close else ""
    exercises = ", ".join(
        f"{number} = {e.module} ({e.filename})" for number, e in enumerate(course.exercises, 1)
    )
    functions = ", ".join(dict.fromkeys(f.name for e in course.exercises for f in e.functions))
    return (
        f"There is no exercise or function called {name!r}.{guess}\n"
        f"Exercises, by number or name: {exercises}.\nFunctions: {functions}."
    )


def valid_names(course: Course) -> list[str]:
    names = [e.module for e in course.exercises]
    names += [f.name for e in course.exercises for f in e.functions]
    names += [f"{e.module}.{f.name}" for e in course.exercises for f in e.functions]
    return list(dict.fromkeys(names))


# --- remembering what was shown -----------------------------------------------------------------


def load_seen(folder: Path) -> dict[str, int]:
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    seen = data.get("seen", {}) if isinstance(data, dict) else {}
    return {k: v for k, v in seen.items() if isinstance(k, str) and isinstance(v, int)}


def save_seen(folder: Path, seen: dict[str, int]) -> bool:
    """Write the counts; False (and nothing else) when the folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{STATE_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps({"version": 1, "seen": seen}, indent=1), encoding="utf-8")
        os.replace(tmp, folder / STATE_FILE)
        return True
    except OSError:
        return False


# --- what `grade hint` prints -------------------------------------------------------------------


def hint(
    name: str | None = None,
    *,
    show_all: bool = False,
    reset: bool = False,
    folder: Path | None = None,
    course: Course | None = None,
) -> str:
    """The text `grade hint` prints; updates the remembered counts. UnknownName for a bad NAME."""
    course = course or load_course()
    folder = course_state_dir() if folder is None else folder
    if name is None:
        if reset:
            save_seen(folder, {})
            return "Forgot every hint shown so far: `grade hint NAME` starts again from the first."
        return overview(course, load_seen(folder))
    targets = resolve(name, course)
    seen = load_seen(folder)
    if reset:
        for t in targets:
            seen.pop(t.key, None)
        save_seen(folder, seen)
        return f"Forgot the hints shown for {name}: `grade hint {name}` starts from the first."
    if show_all:
        text = "\n\n".join(all_hints(t) for t in targets if t.function.hints)
        for t in targets:
            seen[t.key] = len(t.function.hints)
        save_seen(folder, seen)
        return text
    pending = [t for t in targets if seen.get(t.key, 0) < len(t.function.hints)]
    if not pending:
        recap = "\n\n".join(all_hints(t) for t in targets if t.function.hints)
        return (
            f"You have seen every hint for {name}. Here they are again:\n\n{recap}\n\n"
            f"`grade hint {name} --reset` starts over from the first one."
        )
    target = pending[0]
    number = seen.get(target.key, 0) + 1
    seen[target.key] = number
    remembered = save_seen(folder, seen)
    return one_hint(target, number, name, remembered=remembered)


def one_hint(target: Target, number: int, asked: str, *, remembered: bool = True) -> str:
    hints = target.function.hints
    title = (
        f"Hint {number} of {len(hints)} for {target.function.name} "
        f"(exercise {target.exercise.module}, {target.exercise.filename}):"
    )
    lines = [title, "", _wrap(hints[number - 1]), ""]
    if number < len(hints):
        lines.append(f"Still stuck? `grade hint {asked}` again asks the next question.")
    else:
        lines.append(
            f"That was the last hint for {target.function.name}. Re-read Steps 1-5 of the notes "
            "with it in mind, and run `grade` again to see what changed."
        )
    if not remembered:
        lines.append(
            "(The grader could not save which hints you have seen; it will show this one again. "
            "Set GRADE_STATE_DIR to a writable folder to fix that.)"
        )
    return "\n".join(lines)


def all_hints(target: Target) -> str:
    head = f"{target.function.name} ({target.exercise.module}.py):"
    hints = enumerate(target.function.hints, 1)
    body = [_wrap(h, first=f"  {i}. ", rest="     ") for i, h in hints]
    return "\n".join([head, *body])


def overview(course: Course, seen: dict[str, int]) -> str:
    lines = ["Hints are guiding questions, shown one at a time by `grade hint NAME`.", ""]
    for exercise in course.exercises:
        lines.append(f"{exercise.module} ({exercise.title}):")
        for f in exercise.functions:
            shown = min(seen.get(f"{exercise.module}.{f.name}", 0), len(f.hints))
            lines.append(f"  {f.name:<27}{shown} of {len(f.hints)} seen")
    lines += [
        "",
        "NAME is a function (`grade hint gradients`), `module.function` when two exercises",
        "share the name (`grade hint logistic_regression.predict`), or an exercise's file",
        "(`grade hint sgd.py`) to go through its functions in order.",
        "`--all` shows every hint of NAME at once; `--reset` forgets which ones you have seen.",
    ]
    return "\n".join(lines)


def _wrap(text: str, first: str = "  ", rest: str = "  ") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=first, subsequent_indent=rest)
