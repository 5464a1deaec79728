"""The project's tests on every supported Python (nox; `.ci/run` and the GitHub workflow run it).

Sessions, each in a fresh venv with `pip install -e ".[test]"`:

- `core-3.X`: the README's quick start checked (the reference gets full marks and the stubs zero
  from the hidden suite, with no grader error), the whole suite collected, then the end-to-end
  grading tests and the sandbox tests;
- `full-3.X`: the whole suite, as the README's test command runs it.

Interpreters are looked for in pyenv's folder (`$PYENV_ROOT/versions/3.X.*/bin`) and then on
PATH. One that is missing is skipped with a loud line rather than failing the run: a machine
has the Pythons it has (`.ci/run` insists on the one that runs the README's test command).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nox

PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
#: What `core` runs with pytest after the quick start: grading end to end, and the sandbox.
CORE_TESTS = ("tests/e2e", "tests/sandbox", "tests/test_readme.py")
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"

nox.options.default_venv_backend = "venv"  # what the README and the handout use
nox.options.download_python = "never"  # this machine's Pythons, or none
nox.options.error_on_missing_interpreters = False
nox.options.sessions = ["core"]


def _reports_version(python: str, version: str) -> bool:
    """Whether `python` runs and is `version` (a pyenv shim for another version is not)."""
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    try:
        found = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return found.returncode == 0 and found.stdout.strip() == version


def _patch(folder: str) -> tuple[int, ...]:
    tail = Path(folder).parent.parent.name.split(".")[2:]
    return tuple(int(part) if part.isdigit() else -1 for part in tail)


def find_python(version: str) -> str | None:
    """The newest pyenv build of `version`, else `python{version}` on PATH, if it runs."""
    builds = glob.glob(str(PYENV_VERSIONS / f"{version}.*" / "bin" / "python"))
    candidates = sorted(builds, key=_patch, reverse=True)
    candidates.append(shutil.which(f"python{version}") or "")
    return next((c for c in candidates if c and _reports_version(c, version)), None)


def _make_pythons_findable() -> None:
    """Put each found interpreter's folder first on PATH, where nox looks for `python3.X`.

    A Python that is not found is announced loudly, except on GitHub Actions, where each job
    sets up the one Python it tests.
    """
    folders = []
    for version in PYTHONS:
        python = find_python(version)
        if python is None and not os.environ.get("GITHUB_ACTIONS"):
            where = f"{PYENV_VERSIONS}/{version}.*/bin or on PATH"
            print(f"!!! Python {version} NOT FOUND in {where}: its sessions are SKIPPED !!!",
                  file=sys.stderr)  # fmt: skip
        elif python and os.path.dirname(python) not in folders:
            folders.append(os.path.dirname(python))
    os.environ["PATH"] = os.pathsep.join([*folders, os.environ.get("PATH", "")])


_make_pythons_findable()


def _install(session: nox.Session) -> None:
    session.install("-e", ".[test]")


def _check_quick_start(session: nox.Session) -> None:
    """`grade solutions --suite hidden` gives full marks, the stubs zero, neither a grader error."""
    folder = Path(session.create_tmp())
    for submission, expected in (("solutions", "full"), ("exercises", "zero")):
        out = folder / f"{submission}.json"
        session.run("grade", submission, "--suite", "hidden", "-o", str(out))
        report = json.loads(out.read_text(encoding="utf-8"))
        broken = report["grader_errors"] + [
            test["name"]
            for exercise in report["exercises"]
            for test in exercise["tests"]
            if test.get("grader_error")
        ]
        want = report["max_score"] if expected == "full" else 0
        if report["score"] != want or broken:
            first = broken[0].strip().splitlines()[-1] if broken else ""
            session.error(
                f"quick start: {submission} scored {report['score']} / {report['max_score']} "
                f"(expected {expected} marks) with {len(broken)} grader error(s); the first "
                f"ends: {first[:300]}"
            )
        session.log(f"quick start: {submission} scored {report['score']} / {report['max_score']}")


def _pytest(session: nox.Session, *args: str) -> None:
    """pytest in the session's venv; any exit but 0 fails it (5, "no tests collected", too)."""
    session.run("python", "-m", "pytest", *args)


@nox.session(python=PYTHONS)
def core(session: nox.Session) -> None:
    """The quick start, the whole suite collected, the end-to-end and sandbox tests."""
    _install(session)
    _check_quick_start(session)
    _pytest(session, "--collect-only", "-qq")
    _pytest(session, "-q", *CORE_TESTS, *session.posargs)


@nox.session(python=PYTHONS)
def full(session: nox.Session) -> None:
    """The whole suite, as the README's test command runs it."""
    _install(session)
    _pytest(session, *session.posargs)
