"""Where the course folders are: the reference solutions and the exercise stubs, in either layout.

The instructor's repository keeps `solutions/` and `exercises/` beside `grader/`, mirroring each
other file for file. An installed grader (a wheel, Gradescope's image, a Classroom runner) holds
them inside its package, as `grader/solutions/` and `grader/exercises/` (pyproject.toml's
package-dir), so that nothing called `solutions` lands at the top of site-packages. Both are
found here by path, never through sys.path: a folder called `solutions` in the current
directory (say, in a submission) must not stand in for the reference.
"""

from __future__ import annotations

from pathlib import Path

import grader

#: The grader package itself.
PACKAGE = Path(grader.__file__).resolve().parent
#: The course folders, by the name they have in the instructor's repository.
COURSE_FOLDERS = ("solutions", "exercises")


def course_folder(name: str) -> Path:
    """`solutions/` or `exercises/`: inside the installed package, else beside it (a checkout)."""
    if name not in COURSE_FOLDERS:
        raise ValueError(f"{name!r} is not one of the course folders {COURSE_FOLDERS}")
    inside = PACKAGE / name
    return inside if (inside / "__init__.py").is_file() else PACKAGE.parent / name


def solutions() -> Path:
    """The reference solutions (absent from a student handout)."""
    return course_folder("solutions")


def stubs() -> Path:
    """The exercise stubs students start from."""
    return course_folder("exercises")
