"""Where a submission's exercise modules are: the folder itself, or a folder below it.

Students upload the three files, a folder of them, or a whole repository with `exercises/` in
it; `grade PATH`, `grade batch` and Gradescope's `run_autograder` all look for the modules the
same way, so a submission scores the same whichever way it is graded.
"""

from __future__ import annotations

from pathlib import Path

from grader.course import load_course

#: How deep below a submission folder its exercise modules may be.
MAX_DEPTH = 3
#: Names that are never a submission, nor part of one's search.
IGNORED = ("__MACOSX", "__pycache__", "grader")


def submission_root(folder: Path) -> Path:
    """The shallowest folder at or below `folder` that holds an exercise module (`.py`, or a
    notebook `.ipynb` of the same name).

    Ties go to the folder holding the most modules, then to one named `exercises`, then by
    name; with no module anywhere it is `folder` itself (everything then scores zero).
    """
    exercises = load_course().exercises
    modules = {e.filename for e in exercises} | {f"{e.module}.ipynb" for e in exercises}
    level = [Path(folder)]
    for _ in range(MAX_DEPTH + 1):
        scored = []
        for candidate in level:
            try:
                names = {p.name for p in candidate.iterdir() if p.is_file() and not p.is_symlink()}
            except OSError:
                continue
            if names & modules:
                scored.append(
                    (
                        -len({n.rsplit(".", 1)[0] for n in names & modules}),
                        candidate.name != "exercises",
                        candidate.name,
                        candidate,
                    )
                )
        if scored:
            return min(scored)[-1]
        level = [
            child
            for parent in level
            for child in sorted(_subfolders(parent))
            if not child.name.startswith(".") and child.name not in IGNORED
        ]
    return Path(folder)


def _subfolders(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
