"""`grade watch`: grade again on every save of an exercise file, and redraw a compact view.

Changes are noticed by watchfiles when it is installed (`pip install -e ".[watch]"`), otherwise
by polling: a cheap look at each file's size and modification time, then its content hash, once
the file has stopped changing (a save in progress, or an editor's write-then-rename, is not
graded half-way). A file saved half-written, with a syntax error, is graded like any other: the
view shows the error, and the next save grades again. Only the exercise files are watched.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from grader import defaults
from grader.course import Course, load_course
from grader.text import visible

#: Seconds a file must stay unchanged before it is graded: long enough to see a write still in
#: progress, short enough not to be felt (the whole save-to-verdict budget is 0.3 s).
DEBOUNCE = 0.05
#: What the copy graded by watch leaves out of the student's folder.
SKIPPED = (".git", "__pycache__", ".ipynb_checkpoints", ".venv", "venv", "*.pyc", ".*.swp")
#: Milliseconds without a write after which watchfiles reports a save.
WATCH_STEP_MS = 25
#: Seconds between two looks at the files when polling.
INTERVAL = 0.5
#: Lines of the first problem's feedback shown in the view.
FEEDBACK_LINES = 12


@dataclass(frozen=True)
class Marks:
    """The symbols of the view; plain ASCII where the terminal cannot print the others."""

    passed: str = "✓"
    failed: str = "✗"
    todo: str = "·"
    rule: str = "─"


ASCII = Marks(passed="+", failed="x", todo="-", rule="-")


def marks_for(stream: Any) -> Marks:
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        "✓✗·─".encode(encoding)
    except (LookupError, UnicodeEncodeError):
        return ASCII
    return Marks()


# --- what changed -------------------------------------------------------------------------------


def fingerprint(files: list[Path]) -> tuple[tuple[str, str | None], ...]:
    """The content hash of each file (None when it does not exist or cannot be read)."""
    out = []
    for path in files:
        try:
            digest: str | None = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = None
        out.append((path.name, digest))
    return tuple(out)


def stat_key(files: list[Path]) -> tuple:
    """Size and modification time of each file: cheap, to decide whether to hash."""
    out = []
    for path in files:
        try:
            st = path.stat()
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def settled(files: list[Path], *, debounce: float, limit: float = 3.0) -> tuple:
    """The fingerprint once two looks `debounce` seconds apart agree (or after `limit` s)."""
    deadline = time.monotonic() + limit
    current = fingerprint(files)
    while debounce > 0 and time.monotonic() < deadline:
        time.sleep(debounce)
        again = fingerprint(files)
        if again == current:
            break
        current = again
    return current


def polling(files: list[Path], *, interval: float, every: float = 2.0) -> Iterator[None]:
    """Yield when a file's size or modification time changed, and every `every` s regardless.

    The periodic look catches a save that kept both (a coarse clock on some file systems); the
    caller compares content hashes, so a yield without a real change costs one hash.
    """
    last, last_yield = stat_key(files), time.monotonic()
    while True:
        time.sleep(interval)
        now = stat_key(files)
        if now != last or time.monotonic() - last_yield >= every:
            last, last_yield = now, time.monotonic()
            yield


def watching(files: list[Path], *, debounce: float, every: float = 2.0) -> Iterator[None]:
    """Yield when watchfiles reports a change to one of `files`, and every `every` s regardless.

    The watcher runs for the whole session, so a save made while grading is not lost; the
    periodic yield is a safety net for file systems that do not report changes.
    """
    import watchfiles

    names = {p.name for p in files}
    for _ in watchfiles.watch(
        files[0].parent,
        watch_filter=lambda _change, path: Path(path).name in names,
        debounce=max(int(debounce * 1000), 1000),  # group a burst of writes for at most 1 s
        step=WATCH_STEP_MS,  # yield once no write came for this long: the save is over
        rust_timeout=int(every * 1000),
        yield_on_timeout=True,
        recursive=False,
        raise_interrupt=True,
    ):
        yield


def have_watchfiles() -> bool:
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        return False
    return True


# --- the view -----------------------------------------------------------------------------------


@dataclass
class Run:
    """One grading run, as the view shows it."""

    number: int
    changed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    when: str = ""


def function_states(report: Any, course: Course) -> dict[tuple[str, str], str]:
    """`passed`, `failed` or `todo` (still raises NotImplementedError) per (module, function)."""
    states = {}
    for exercise in report.exercises:
        for function in course.exercise(exercise.name).functions:
            tests = [t for t in exercise.tests if t.function == function.name]
            if not tests:
                continue
            if all(t.status.value == "passed" for t in tests):
                states[(exercise.name, function.name)] = "passed"
            elif all("NotImplementedError" in t.feedback for t in tests):
                states[(exercise.name, function.name)] = "todo"
            else:
                states[(exercise.name, function.name)] = "failed"
    return states


def render(
    report: Any,
    run: Run,
    *,
    folder: str,
    suite: str,
    course: Course | None = None,
    marks: Marks = Marks(),
    width: int = 80,
    colour: bool = True,
) -> str:
    """The compact progress view of one run: a line per exercise, then the first problem."""
    course = course or load_course()
    style = click.style if colour else (lambda text, **_: text)
    states = function_states(report, course)
    symbol = {"passed": (marks.passed, "green"), "failed": (marks.failed, "red"),
              "todo": (marks.todo, None)}  # fmt: skip
    saved = f"  saved {', '.join(run.changed)}" if run.changed else ""
    lines = [
        style(
            f"{marks.rule * 2} grade watch: run {run.number} at {run.when}, "
            f"{run.seconds:.1f} s{saved} ",
            bold=True,
        ),  # fmt: skip
        f"{folder}/ with the {suite} suite: {report.score:g} / {report.max_score:g} points",
        "",
    ]
    for exercise in report.exercises:
        head = f"  {exercise.name:<21}{exercise.score:>5g} / {exercise.max_score:<4g}"
        cells = []
        for function in course.exercise(exercise.name).functions:
            if (exercise.name, function.name) not in states:
                continue
            mark, fg = symbol[states[(exercise.name, function.name)]]
            cells.append(style(f"{mark} {function.name}", fg=fg))
        lines += _wrap_cells(head, cells, width)
    lines.append("")
    first = first_problem(report, course, states)
    if first is None:
        lines += [
            style(f"Every {suite} test passes.", fg="green", bold=True),
            "The hidden suite that scores your work also tries random inputs of several sizes, "
            "integer inputs, y as (n,) and edge cases: test your functions on your own examples "
            "too.",
        ]
    else:
        exercise, test = first
        if states[(exercise, test.function)] == "todo":
            lines += [
                style(f"Next: write {exercise}.{test.function}", bold=True),
                f"    It still raises NotImplementedError: replace that line in "
                f"{exercise}.py with your code (the docstring has the maths and an example).",
                f"Stuck? `grade hint {exercise}.{test.function}` asks a guiding question.",
                "",
                "Save a file to grade again; Ctrl+C to stop.",
            ]
            return "\n".join(lines)
        broken = test.feedback.startswith("Importing your")
        where = f"{exercise}.py does not import" if broken else f"{exercise}.{test.function}"
        lines.append(style(f"First problem: {where}", bold=True))
        # Words from the submission reach the terminal only made visible (grader/text.py).
        feedback = _wrap_feedback(visible(test.feedback or "(no message)"), width)
        lines += feedback[:FEEDBACK_LINES]
        if len(feedback) > FEEDBACK_LINES:
            lines.append(f"    ... ({len(feedback) - FEEDBACK_LINES} more lines: run `grade`)")
        if not broken:
            lines.append(f"Stuck? `grade hint {exercise}.{test.function}` asks a guiding question.")
    lines += ["", "Save a file to grade again; Ctrl+C to stop."]
    return "\n".join(lines)


def first_problem(report: Any, course: Course, states: dict) -> tuple[str, Any] | None:
    """The first failing test of the first function, in the order of the notes, that is started.

    A function still raising NotImplementedError comes only after the ones being worked on.
    """
    ranked = []
    for exercise in report.exercises:
        for function in course.exercise(exercise.name).functions:
            state = states.get((exercise.name, function.name), "passed")
            if state == "passed":
                continue
            test = next(t for t in exercise.tests
                        if t.function == function.name and t.status.value != "passed")  # fmt: skip
            ranked.append((state == "todo", len(ranked), exercise.name, test))
    if not ranked:
        return None
    _, _, exercise, test = min(ranked, key=lambda r: (r[0], r[1]))
    return exercise, test


def _wrap_feedback(text: str, width: int) -> list[str]:
    """Indented feedback; prose lines wrapped, code and traceback lines kept as they are."""
    out = []
    for line in text.splitlines():
        if line[:1].isspace() or len(line) + 4 <= width:
            out.append(f"    {line}")
        else:
            out += textwrap.wrap(line, width - 4, initial_indent="    ", subsequent_indent="    ")
    return out


def _wrap_cells(head: str, cells: list[str], width: int) -> list[str]:
    lines, line, used = [], head, len(head)
    indent = " " * len(head)
    for cell in cells:
        size = len(click.unstyle(cell)) + 2
        if used + size > width and line != head:
            lines.append(line)
            line, used = indent, len(indent)
        line += "  " + cell
        used += size
    lines.append(line)
    return lines


def problem_view(run: Run, error: BaseException, *, marks: Marks = Marks()) -> str:
    """What the view shows when grading itself failed (never the student's fault)."""
    return "\n".join([
        f"{marks.rule * 2} grade watch: run {run.number} at {run.when} ",
        f"The grader could not finish this run ({type(error).__name__}: {error}).",
        "It is not your code's fault. Save again to retry; if it keeps happening, tell your "
        "instructor.",
    ])  # fmt: skip


# --- a warm grader -------------------------------------------------------------------------------


class WarmGrader:
    """Grades one folder again and again, quickly: what a save changed, with warm workers.

    - Its workers are forked from a zygote that stays (grader.sandbox.process.Zygote, as in
      `grade batch`): Python and NumPy are imported once, so a re-grade costs a few forks
      instead of starting interpreters. pytest, the suite and the grader stay imported here.
      Where no zygote can run (not Linux), each run starts its workers as `grade` does.
    - After the first run, only the exercises whose files changed are graded again (and those
      whose source names a changed module, e.g. an sgd.py that imports batch_gradient); the
      others keep their last results.

    - It grades a copy of the folder taken at the start of each run, never the folder itself:
      the sandbox puts the folder it graded back as it was when it is done, and a save made
      meanwhile (the view is drawn before that clean-up) must not be undone.

    Use it as a context manager; call it as `grade_submission` (folder, suite=, timeout=).
    """

    def __init__(self, *, memory_mb: int = defaults.MEMORY_MB) -> None:
        self.memory_mb = memory_mb
        self.zygote: Any = None
        self.last: Any = None  # the last whole report
        self.sources: dict[str, str | None] = {}  # module -> digest of its files at that report
        self.staging = Path(tempfile.mkdtemp(prefix="grade-watch-"))

    def __enter__(self) -> WarmGrader:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.zygote is not None:
            self.zygote.close()
            self.zygote.reap()
            self.zygote = None
        shutil.rmtree(self.staging, ignore_errors=True)

    def stage(self, folder: Path) -> Path:
        """A fresh copy of `folder` (regular files, no links, no caches) under the same name."""
        copy = self.staging / (Path(folder).resolve().name or "submission")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(folder, copy, symlinks=True, ignore=shutil.ignore_patterns(*SKIPPED))
        return copy

    def __call__(
        self, folder: Path, *, suite: str, timeout: float, early: Callable | None = None
    ) -> Any:
        """The whole report of `folder`; `early(report)` gets it as soon as it is known, before
        the run's workers are ended (what a student waits for ends there)."""
        from grader.runner import grade_submission

        course = load_course()
        folder = self.stage(Path(folder))
        sources = {e.module: _digest(folder, e.module) for e in course.exercises}
        only = self.affected(folder, sources, suite)
        whole: list = []

        def done(report: Any) -> None:
            whole.append(merged(self.last, report, course) if only else report)
            if early is not None:
                early(whole[0])

        try:
            grade_submission(folder, suite=suite, timeout=timeout, memory_mb=self.memory_mb,
                             fork_server=self._warm(), only=only, early=done)  # fmt: skip
        finally:
            if self.zygote is not None:
                self.zygote.reap()  # the reapers of this run's workers came back to us
                if not self.zygote.healthy():  # gone or stopped: the next run starts another
                    self.zygote = None
        self.last, self.sources = whole[0], sources
        return whole[0]

    def affected(self, folder: Path, sources: dict[str, str | None], suite: str) -> tuple:
        """The modules to grade again (empty: all of them)."""
        if self.last is None or self.last.suite != suite:
            return ()
        changed = {m for m, digest in sources.items() if digest != self.sources.get(m)}
        if not changed:
            return ()
        also = {m for m in sources if m not in changed and _mentions(folder, m, changed)}
        return tuple(m for m in sources if m in changed | also)

    def _warm(self) -> Any:
        from grader.sandbox.process import Zygote

        if self.zygote is None and Zygote.available():
            try:
                self.zygote = Zygote()
            except Exception:  # noqa: BLE001 - a cold start still grades
                self.zygote = None
        return self.zygote if self.zygote is not None else False


def merged(last: Any, fresh: Any, course: Course) -> Any:
    """`last` with the exercises of `fresh` in place of its own, totals recomputed."""
    from dataclasses import replace

    new = {e.name: e for e in fresh.exercises}
    exercises = [new.get(e.name, e) for e in last.exercises]
    kept = [x for x in last.grader_errors
            if not any(f"test_{m}.py" in x or f" {m}." in x for m in new)]  # fmt: skip
    return replace(fresh, exercises=exercises, max_score=course.max_score,
                   score=round(sum(e.score for e in exercises), 6),
                   grader_errors=kept + fresh.grader_errors)  # fmt: skip


def _digest(folder: Path, module: str) -> str | None:
    """The content of a module's files (`.py`, `.ipynb`), or None when it has none."""
    digest, found = hashlib.sha256(), False
    for path in (folder / f"{module}.py", folder / f"{module}.ipynb"):
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
            found = True
        except OSError:
            continue
    return digest.hexdigest() if found else None


def _mentions(folder: Path, module: str, names: set[str]) -> bool:
    """Whether a module's source names one of `names` (it may import it)."""
    for path in (folder / f"{module}.py", folder / f"{module}.ipynb"):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(name in text for name in names):
            return True
    return False


# --- the loop -----------------------------------------------------------------------------------


def clear_screen() -> None:
    """Clear the terminal (nothing when the output is not a terminal, e.g. a pipe or a test)."""
    if sys.platform == "win32":  # let old Windows consoles understand the ANSI clear sequence
        try:
            import colorama

            colorama.just_fix_windows_console()
        except (ImportError, AttributeError):
            pass
    click.clear()


def watch(
    folder: Path,
    *,
    suite: str = "public",
    timeout: float = defaults.TIMEOUT,
    max_runs: int | None = None,
    poll: bool = False,
    interval: float = INTERVAL,
    debounce: float = DEBOUNCE,
    grade: Callable[..., Any] | None = None,
    echo: Callable[[str], None] = click.echo,
    clear: Callable[[], None] = clear_screen,
) -> int:
    """Grade `folder` now and after every save, until Ctrl+C or `max_runs` runs; return 0.

    `grade(folder, suite=..., timeout=...)` returns a Report (default: a `WarmGrader`).
    """
    if grade is None:
        with WarmGrader() as warm:
            return watch(folder, suite=suite, timeout=timeout, max_runs=max_runs, poll=poll,
                         interval=interval, debounce=debounce, grade=warm, echo=echo,
                         clear=clear)  # fmt: skip
    course = load_course()
    files = [Path(folder) / e.filename for e in course.exercises]
    use_watchfiles = not poll and have_watchfiles()
    marks = marks_for(sys.stdout)
    width = min(shutil.get_terminal_size((100, 24)).columns, 120)
    colour = sys.stdout.isatty()
    runs = 0

    def grade_and_draw(changed: list[str]) -> None:
        nonlocal runs
        runs += 1
        run = Run(runs, changed, when=datetime.now().strftime("%H:%M:%S"))
        start = time.perf_counter()
        drawn: list[bool] = []

        def draw(report: Any) -> None:
            run.seconds = time.perf_counter() - start
            text = render(report, run, folder=str(folder), suite=suite, course=course,
                          marks=marks, width=width, colour=colour)  # fmt: skip
            clear()
            echo(text)
            drawn.append(True)

        try:
            if isinstance(grade, WarmGrader):  # it draws as soon as the verdict is known
                grade(Path(folder), suite=suite, timeout=timeout, early=draw)
            else:
                draw(grade(Path(folder), suite=suite, timeout=timeout))
        except Exception as error:  # noqa: BLE001 - the watch goes on; the next save retries
            if not drawn:
                clear()
                echo(problem_view(run, error, marks=marks))

    # watchfiles yields only once the writes have stopped for WATCH_STEP_MS: no second look is
    # needed then; polling sees a save at any moment of it, so it looks `debounce` later.
    quiet = 0.0 if use_watchfiles else debounce
    try:
        graded = fingerprint(files)
        grade_and_draw([])
        if use_watchfiles:
            waits = watching(files, debounce=debounce)
        else:
            waits = polling(files, interval=interval)
            echo(f"(Looking for saves every {interval:g} s; with watchfiles installed, "
                 '`pip install -e ".[watch]"`, they are noticed at once.)')  # fmt: skip
        while max_runs is None or runs < max_runs:
            next(waits)
            if fingerprint(files) == graded:
                continue
            now = settled(files, debounce=quiet)
            if now == graded:  # changed back before it settled
                continue
            changed = [name for (name, old), (_, new) in zip(graded, now, strict=True)
                       if old != new]  # fmt: skip
            graded = now
            grade_and_draw(changed)
    except KeyboardInterrupt:
        echo("\nStopped watching.")
    return 0
