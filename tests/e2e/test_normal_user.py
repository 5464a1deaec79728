"""Issue 11: hostile submissions graded by a normal user, through the real `grade` command.

Graded by root, a submission's worker is a uid of its own, and the reference is root's alone.
Graded by a normal user (nobody here), the worker is that same user: by file permissions it
may read all the user reads, the instructor's installation it is graded by (the reference
solutions, the hidden suite) and world-readable copies of the answers left elsewhere on the
machine; only Landlock and the system-call filter keep it out. Each case of
tests/cases/hostile/ named below (see casebook.py there) is graded by `grade --suite hidden`
run as that user, and must earn nothing where the attack is and full marks everywhere else,
leave no evidence of success, leave no process behind, get a report that says what confined
it (Landlock, without a separate user), and change nothing in the graded folder (its modes
included: the worker is the grading user there, so only the syscall filter keeps chmod away).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import hostile_casebook as casebook  # loaded by conftest.py
import pytest

from grader.sandbox import limits

#: The cases whose defence, as root, rests on a uid of their own as much as on Landlock: the
#: answers within the user's reach, the grading process's /proc, the folder being graded.
NORMAL_USER_CASES = (
    "planted_copies",  # world-readable copies of the answers elsewhere on the machine
    "filesystem_search",  # the installation it is graded by: the reference, the hidden suite
    "import_reference",  # the same, imported by name
    "proc_of_parent",  # the grading processes, the same user's: their environment, memory
    "delete_own_files",  # its damage must not reach the other exercises' modules
    "write_outside",  # nor the folder being graded, the installation, the shared folders
    "deny_mutation",  # the worker patched to deny it changed its arguments: the grader looks
    "lying_arrays",  # values that lie about what they are
    "patch_the_world",  # NumPy, builtins, operator patched: the other exercises never notice
    "forge_at_import",  # a forged report wherever one may be read from
)
CASES = {c.id: c for c in casebook.load_cases() if c.id in NORMAL_USER_CASES}

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Landlock is Linux's")


@pytest.fixture(scope="module")
def user(normal_user):
    """The normal user's installation, where Landlock confines its workers."""
    if not limits.filesystem_confined():
        pytest.skip("needs Landlock: as a normal user only Landlock keeps the reference out")
    return normal_user


def test_every_named_case_exists_and_reports_natively():
    assert set(CASES) == set(NORMAL_USER_CASES)
    assert all(c.format == "native" and c.runs for c in CASES.values())


@pytest.mark.parametrize("case_id", NORMAL_USER_CASES)
def test_a_hostile_submission_graded_as_a_normal_user_wins_nothing(case_id, user, report_validator):
    """What the user can read, the submission it grades cannot; the report says why."""
    case = CASES[case_id]
    prepared = casebook.prepare(case, owner=user.uid)
    try:
        installed = user.site_packages / "grader"
        within_reach = [
            installed / "solutions" / "sgd.py",
            installed / "suites" / "hidden" / "answers.py",
        ]
        if case.plant:
            within_reach += [prepared.root / "planted" / p / "sgd.py" for p in casebook.PLANTED]
        for path in within_reach:  # by file permissions: else the case would prove nothing
            assert user.can_read(path), f"{path} is out of the user's reach anyway"
        before = casebook.tree_digest(prepared.submission)
        run = casebook.grade(
            prepared, python=str(user.python), prefix=tuple(user.prefix), env=user.environment()
        )
        where = f"{case.id} ({case.klass}: {case.about})"
        assert run.returncode == 0, f"{where}: exit {run.returncode}\n{run.stderr[-3000:]}"
        assert "Traceback" not in run.stderr, run.stderr[-3000:]
        assert run.report_bytes is not None, f"{where}: no report at {prepared.output}"
        report = json.loads(run.report_bytes)
        report_validator.validate(report)
        assert report["grader_errors"] == [], report["grader_errors"]
        wrong = casebook.dishonest_scores(case, report)
        assert not wrong, f"{where}: scores (got, expected) not as honest code earns: {wrong}"
        evidence = casebook.canary_files(prepared)
        leaks = casebook.leaks(evidence)
        assert not leaks, f"{where}: the attack succeeded: {leaks}"
        assert any(name.startswith("ran-") for name in evidence), f"{where}: never ran"
        confinement = report["confinement"]
        assert confinement["filesystem"] == "landlock", confinement
        assert confinement["separate_user"] is False, confinement
        assert casebook.survivors(prepared, check_uids=False) == [], where
        for text in (run.stdout, run.stderr, run.report_bytes.decode(errors="replace")):
            assert run.secret not in text
        unchanged = casebook.tree_digest(prepared.submission) == before
        assert unchanged, f"{where}: the graded folder changed"
    finally:
        for folder in limits.SHARED_FOLDERS:  # what an unconfined write_outside leaves there
            for path in Path(folder).glob(f"{prepared.marker}*"):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
        casebook.remove(prepared)
