"""`grade release OUTDIR`: the student handout, built from an allow-list of the instructor's files.

The handout is the exercise stubs, the public suite, the data, the course metadata and the
`grade` command, with a README for students and a pyproject.toml of its own, so that
`pip install -e .` inside it gives a `grade` that works there with the public suite. The
reference solutions, the hidden suite and the instructor's tools are not in the allow-list, so
they are never copied; the built tree is then checked for them anyway, and for any module that
imports what the handout lacks.
"""

from __future__ import annotations

import ast
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from string import Template

from grader import private
from grader.course import load_course
from grader.instructor import layout, notebook_handout, source

#: Every file of the handout comes from one of these patterns (relative to the instructor's tree).
#: Top-level and feedback modules are named one by one: a new module is a decision (the tests
#: fail until it is listed here or in INSTRUCTOR_ONLY).
GRADER_MODULES = (
    "__init__ __main__ causes cli course datasets defaults formats plugin private report runner "
    "submission summary text"
)
FEEDBACK_MODULES = "__init__ diagnoses mistakes hints watch plot"
HANDOUT_FILES = (
    "exercises/*.py",
    *(f"grader/{name}.py" for name in GRADER_MODULES.split()),
    "grader/course.toml",
    "grader/py.typed",
    "grader/schema/*.json",
    "grader/commands/*.py",  # click wiring only; instructor verbs hide themselves without
    "grader/sandbox/*.py",
    "grader/sandbox/worker/*.py",
    "grader/notebooks/*.py",  # notebook submissions, and the check run from inside a notebook
    "grader/suites/*.py",  # shared by both suites: fixtures and student-facing checks
    "grader/suites/pytest.ini",
    "grader/suites/public/*.py",
    *(f"grader/feedback/{name}.py" for name in FEEDBACK_MODULES.split()),
    "docs/student-guide.md",
)
#: What the handout must never hold, nor anything made from it: the answers and the scoring.
INSTRUCTOR_ONLY = private.source_patterns()
#: Top-level packages a handout module may import from itself.
OWN_PACKAGES = ("grader", "exercises")
TEMPLATES = Path(__file__).with_name("templates")
WORKFLOW = ".github/workflows/classroom.yml"
INSTRUCTOR_VERBS = ("batch", "gradescope", "release")
#: The grader's optional dependencies a student may install too: `grade plot`, `grade watch`.
HANDOUT_EXTRAS = ("plot", "watch")


class HandoutError(Exception):
    """The handout could not be built, or would not be safe or working."""


@dataclass(frozen=True)
class Handout:
    """What `make_handout` built."""

    folder: Path
    archive: Path | None
    files: tuple[str, ...]


def make_handout(
    outdir: Path, *, archive: bool = False, workflow: bool = False, notebooks: bool = False
) -> Handout:
    """Build the student handout in `outdir` (new or empty), and `outdir.zip` with `archive`.

    `notebooks` hands out each exercise as `exercises/<module>.ipynb` instead of its stub module
    (`notebook_handout.py`).

    `workflow` adds the GitHub Actions workflow that scores each push with the hidden suite
    (see docs/instructors.md for the secrets it needs). The folder appears complete or not at
    all: it is built beside `outdir` and renamed into place.
    """
    outdir = Path(outdir)
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise HandoutError(f"{outdir} already exists and is not an empty folder; name a new one.")
    outdir.parent.mkdir(parents=True, exist_ok=True)
    files = source.collect(HANDOUT_FILES)
    if notebooks:
        modules = {Path("exercises", e.filename) for e in load_course().exercises}
        files = [f for f in files if f not in modules]
    building = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        source.copy_files(files, building)
        _write_generated(
            building,
            workflow=workflow,
            has_guide=Path("docs/student-guide.md") in files,
            notebooks=notebooks,
        )
        problems = check_handout(building)
        if problems:
            raise HandoutError("the handout would be unsafe or broken:\n  " + "\n  ".join(problems))
        building.chmod(0o755)
        if outdir.exists():
            outdir.rmdir()
        os.replace(building, outdir)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    zip_path = None
    if archive:
        zip_path = outdir.with_name(outdir.name + ".zip")
        source.write_zip(outdir, zip_path, prefix=outdir.name + "/")
    listing = tuple(
        sorted(p.relative_to(outdir).as_posix() for p in outdir.rglob("*") if p.is_file())
    )
    return Handout(folder=outdir, archive=zip_path, files=listing)


def _write_generated(folder: Path, *, workflow: bool, has_guide: bool, notebooks: bool) -> None:
    course = load_course()
    if notebooks:
        for exercise in course.exercises:
            stub = layout.stubs() / exercise.filename
            text = notebook_handout.exercise_notebook(exercise, stub)
            (folder / "exercises" / f"{exercise.module}.ipynb").write_text(text, encoding="utf-8")
    suffix = ".ipynb" if notebooks else ".py"
    rows = "\n".join(
        f"| {e.title} | `exercises/{e.module}{suffix}` | {e.max_score:g} |"
        for e in course.exercises
    )
    extra = "\nMore help: [docs/student-guide.md](docs/student-guide.md).\n" if has_guide else ""
    readme = Template((TEMPLATES / "handout-README.md").read_text(encoding="utf-8")).substitute(
        notes=course.notes, exercise_rows=rows, command_rows=_command_rows(), extra=extra
    )
    (folder / "README.md").write_text(readme, encoding="utf-8")
    shutil.copyfile(TEMPLATES / "handout-gitignore", folder / ".gitignore")
    try:
        pyproject = source.pyproject(
            name="gd-exercises",
            description="Exercises on gradient descent, with `grade` and its public tests.",
            packages=["grader", "grader.*", "exercises"],
            readme=True,
            extras=HANDOUT_EXTRAS,
        )
    except LookupError as error:
        raise HandoutError(str(error)) from None
    (folder / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    if workflow:
        target = folder / WORKFLOW
        target.parent.mkdir(parents=True)
        target.write_text(workflow_text(course.max_score), encoding="utf-8")


def workflow_text(max_score: float) -> str:
    """The GitHub Actions workflow, knowing the course's points (for an error worth zero when
    the grader cannot even be installed)."""
    template = (TEMPLATES / "classroom.yml").read_text(encoding="utf-8")
    return template.replace("@max_score@", f"{max_score:g}")


def _command_rows() -> str:
    """The README's table of commands: the default verb, then every student verb `grade` has."""
    from grader.cli import main

    rows = [
        ("grade", "grade `./exercises` with the public tests and say what to look at"),
        ("grade -v", "the same, listing every failing test"),
        ("grade PATH", "grade the folder PATH instead of `./exercises`"),
    ]
    for name, command in sorted(main.commands.items()):
        if name not in INSTRUCTOR_VERBS and not command.hidden:
            rows.append((f"grade {name}", command.get_short_help_str(80)))
    return "\n".join(f"| `{cmd}` | {text} |" for cmd, text in rows)


def check_handout(folder: Path) -> list[str]:
    """What is wrong with the handout in `folder`: forbidden files, or imports it cannot satisfy.

    Only unconditional module-level imports are followed: a verb may import instructor code
    inside a function or an `if`, and tell a student who runs it why it cannot.
    """
    problems = [f"{p}: instructor-only" for p in source.collect(INSTRUCTOR_ONLY, root=folder)]
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if path.suffix in (".pyc", ".pyo") or "__pycache__" in relative or ".egg-info" in relative:
            problems.append(f"{relative}: compiled or packaging file")
        elif path.is_symlink():
            problems.append(f"{relative}: a symlink")
    for path in sorted(folder.rglob("*.py")):
        for module in _module_level_imports(path):
            top = module.split(".")[0]
            if top == "solutions":
                problems.append(f"{path.relative_to(folder)} imports {module}")
            elif top in OWN_PACKAGES and not _resolves(folder, module):
                problems.append(f"{path.relative_to(folder)} imports {module}, not in the handout")
    return problems


def _module_level_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [f"{node.module}.{alias.name}" for alias in node.names] or [node.module]
        elif isinstance(node, ast.ClassDef):
            todo += node.body
    return found


def _resolves(folder: Path, dotted: str) -> bool:
    """Whether `dotted` (a module, or a name imported from one) exists in the handout."""
    parts = dotted.split(".")
    for end in (len(parts), len(parts) - 1):
        base = folder.joinpath(*parts[:end])
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
            return True
    return False
