"""Issue 11: where the kernel has no Landlock, the grader falls back honestly, through `grade`.

`GRADE_SANDBOX_LANDLOCK=off` grades as on a kernel before 5.13. As root the fallbacks then
hold the line: the answers in the installation made readable by root only (the worker is
another user), /tmp, /var/tmp and /dev/shm the worker's own (a mount namespace), and the report
and the summary say plainly that world-readable copies of the answers elsewhere were not kept
from it. The modes the fallback changed are put back afterwards (this checkout is everybody's).
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
from pathlib import Path

import hostile_casebook as casebook  # loaded by conftest.py
import pytest

from grader.sandbox import limits
from grader.sandbox.worker import mounts

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not limits.AS_ROOT, reason="the fallbacks as root, on Linux"
)

#: At import: look for the answers in the installation and in /tmp; answer with them if found.
THIEF = """
import os

PLACES = {places!r}
found = {{}}
for where, path in PLACES.items():
    try:
        with open(path) as f:
            found[where] = f.read()
    except OSError as e:
        found[where] = type(e).__name__
with open(os.path.join({dropbox!r}, "found"), "w") as f:
    f.write(repr({{k: v if len(v) < 40 else "READ" for k, v in found.items()}}))
texts = list(found.values())
""" + casebook.ANSWER_IF_FOUND.replace("{", "{{").replace("}", "}}")


def test_without_landlock_as_root_the_fallbacks_hold_and_say_what_they_cannot(
    grade, submission, monkeypatch, checkout_modes_kept
):
    monkeypatch.setenv(limits.LANDLOCK_VARIABLE, "off")
    dropbox = Path(tempfile.mkdtemp())  # where the thief says what it found
    dropbox.chmod(0o1777)
    monkeypatch.setenv(limits.DROPBOX_VARIABLE, str(dropbox))
    planted = Path("/tmp") / f"gd-planted-{secrets.token_hex(4)}.py"
    planted.write_text((SOLUTIONS / "sgd.py").read_text())
    planted.chmod(0o644)
    places = {"installation": str(SOLUTIONS / "sgd.py"), "tmp": str(planted)}
    thief = THIEF.format(places=places, dropbox=str(dropbox))
    try:
        graded = grade(str(submission(sgd=thief)), "--suite", "hidden")
        found = (dropbox / "found").read_text()
    finally:
        planted.unlink()
        shutil.rmtree(dropbox)
    assert graded.returncode == 0, graded.stderr
    # Kept out of the installation by its mode (or, where the checkout itself lies in /tmp, by
    # the worker's own /tmp), out of /tmp by a /tmp of its own.
    shared = any(ROOT.is_relative_to(Path(f).resolve()) for f in mounts.SHARED_FOLDERS)
    installation = "FileNotFoundError" if shared else "PermissionError"
    assert found == repr({"installation": installation, "tmp": "FileNotFoundError"})
    found = graded.report["confinement"]
    assert found["filesystem"] == "permissions" and found["landlock_abi"] == 0
    assert found["separate_user"] and found["private_tmp"] and found["syscall_filter"]
    assert any("world-readable copies" in gap for gap in found["missing"]), found["missing"]
    assert "world-readable copies of the answers elsewhere" in graded.stdout  # the summary
    assert graded.exercise("sgd")["score"] == 0  # it found nothing to copy
    assert graded.report["score"] == 20
    assert SOLUTIONS.stat().st_mode & 0o077 == 0  # what kept it out: root-only, for the run


def test_the_variable_changes_nothing_unless_it_says_off(monkeypatch):
    monkeypatch.setenv(limits.LANDLOCK_VARIABLE, "on")
    from grader.sandbox.worker import landlock

    assert limits.filesystem_confined() == (landlock.abi_version() > 0)
    monkeypatch.setenv(limits.LANDLOCK_VARIABLE, "OFF")
    assert limits.filesystem_confined() is False
