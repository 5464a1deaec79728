"""Every install command that `grade` suggests works where it is printed: checkout and handout.

`grade plot` and `grade watch` tell whoever runs them to `pip install -e ".[plot]"` (or
`".[watch]"`) when what they need is missing. They run in the instructor's checkout and in the
student's handout, so both pyproject.toml files must offer each extra they name.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from grader.instructor import source

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, installed with the project
    import tomli as tomllib

SUGGESTION = re.compile(r'pip install -e "\.\[([\w,]+)\]"')


def extras_offered(pyproject: Path) -> set[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return set(project.get("optional-dependencies", {}))


def extras_suggested(folder: Path) -> dict[str, set[str]]:
    """`{file: extras}` for each file under `folder` that suggests `pip install -e ".[...]"`."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".py", ".md") and path.is_file():
            names = SUGGESTION.findall(path.read_text(encoding="utf-8"))
            if names:
                found[str(path.relative_to(folder))] = {e for n in names for e in n.split(",")}
    return found


def test_each_extra_that_grade_suggests_is_offered_by_the_checkout_and_the_handout(
    run_grade, tmp_path
):
    handout = tmp_path / "handout"
    assert run_grade("release", handout).returncode == 0
    in_handout = extras_suggested(handout)
    in_grader = extras_suggested(source.ROOT / "grader")
    assert {"plot", "watch"} <= set().union(*in_grader.values()), "the search finds them"
    assert "README.md" in in_handout, "the handout's README installs the extras"
    offered = {
        "checkout": extras_offered(source.ROOT / "pyproject.toml"),
        "handout": extras_offered(handout / "pyproject.toml"),
    }
    for where, extras in offered.items():
        for path, suggested in {**in_grader, **in_handout}.items():
            assert suggested <= extras, f"{path} suggests {suggested - extras}, not in the {where}"
