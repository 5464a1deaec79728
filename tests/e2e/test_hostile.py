"""Hostile submissions through the real `grade` command: the promises of issue 4, case by case.

Every case of tests/cases/hostile/ (see `casebook.py` there) is the reference solutions plus one
attack. Each is graded by its own run of the installed `grade --suite hidden` in a subprocess,
several at a time (the cases that kill or fork widely, or leave their folder open to anybody,
run alone), with a secret variable in grade's environment. Then, for each case:

- `grade` exited 0, without a traceback, within a bound, and the report at the output path is
  the grader's (valid, of the real suite, unchanged a few seconds later);
- the functions the attack is in earn nothing, and every other function keeps full marks;
- the attack left no evidence of success (nothing stolen, no foreign process signalled or read,
  no secret seen), and the hostile code did run where it should;
- none of its processes is alive afterwards, nor its private working copy, nor (when its uid
  was the grading's own) what it left in /tmp and beside the report;
- the submission folder is as it was, and the secret is nowhere in the output.

A last test checks that the grader's package, the suites and the solutions did not change.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import hostile_casebook as casebook  # loaded by conftest.py
import pytest

from grader.runner import suite_digest
from grader.sandbox import limits

ROOT = Path(__file__).resolve().parents[2]

CASES = casebook.load_cases()
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
#: Seconds after the last grading before the reports are read again: a detached process that
#: survived would have rewritten them by then (the forging cases write every 50 ms).
LATE = 3.0
#: How many cases are graded at once (each is mostly waiting for timeouts).
PARALLEL = max(2, min(4, 2 * (os.cpu_count() or 1)))

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the promises need Linux /proc")


def bound(case) -> float:
    """A generous limit on grading one case: slow CI machines, grading in parallel."""
    return 30 + 3 * case.budget


def runnable(case) -> bool:
    """Whether this machine gives the grader what the case needs: root for privilege
    separation, Landlock for copies of the answers planted anywhere on the machine."""
    from grader.sandbox.worker import landlock

    if case.plant and landlock.abi_version() < 1:
        return False
    return AS_ROOT or not case.needs_root


@dataclass
class Graded:
    prepared: object  # casebook.Prepared
    run: object  # casebook.Run
    before: dict  # the submission folder before grading
    after: dict  # ... and right after
    reread: bytes | None = None  # the report, read again LATE seconds after all grading


def _grade(case) -> Graded:
    prepared = casebook.prepare(case)
    before = casebook.tree_digest(prepared.submission)
    run = casebook.grade(prepared)
    after = casebook.tree_digest(prepared.submission)
    prepared.submission.chmod(0o700)  # a world-writable folder: closed to later cases now
    return Graded(prepared, run, before, after)


def _grader_files() -> dict:
    return {name: casebook.tree_digest(ROOT / name) for name in ("grader", "solutions")}


@pytest.fixture(scope="module")
def graded(checkout_modes_kept):
    """Every runnable case graded: a few at a time, then those that must run alone."""
    if not limits.filesystem_confined():
        limits.protect_reference()  # what the first grading does anyway: not the case's doing
    files_before = _grader_files()
    cases = [c for c in CASES if runnable(c)]
    results: dict[str, Graded] = {}
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        futures = {c.id: pool.submit(_grade, c) for c in cases if not c.alone}
        results.update({key: future.result() for key, future in futures.items()})
    for case in cases:
        if case.alone:
            results[case.id] = _grade(case)
    time.sleep(LATE)
    for result in results.values():
        result.reread = casebook.read_report(result.prepared.output)
    yield {"cases": results, "files_before": files_before, "files_after": _grader_files()}
    for result in results.values():
        for folder in ("/tmp", "/var/tmp", "/dev/shm"):  # what write_outside may leave there
            for path in Path(folder).glob(f"{result.prepared.marker}*"):
                path.unlink(missing_ok=True)
        casebook.remove(result.prepared)


def own_uids(prepared) -> bool:
    """Whether the case's workers ran as uids without an account (private to the grading)."""
    uids = casebook.reported_uids(prepared)
    return bool(uids) and all(not _has_account(uid) for uid in uids)


def _has_account(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def check_native_report(case, report: dict, validator) -> None:
    validator.validate(report)
    assert report["suite"] == "hidden" and report["suite_digest"] == suite_digest("hidden")
    assert report["grader_errors"] == [], report["grader_errors"]
    for exercise in report["exercises"]:
        for test in exercise["tests"]:
            if case.status and exercise["name"] == case.module and test["function"] in case.zero:
                assert test["status"] == case.status, (test["name"], test["feedback"])
    wrong = casebook.dishonest_scores(case, report)
    assert not wrong, f"scores (got, expected) that are not as honest code earns: {wrong}"


def check_gradescope_report(case, report: dict) -> None:
    assert report["extra_data"]["suite_digest"] == suite_digest("hidden")
    assert report["stdout_visibility"] == "hidden" and report["tests"]
    total = sum(casebook.expected_scores(case).values())
    assert abs(report["score"] - total) < casebook.EPS, (report["score"], total)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_a_hostile_submission_is_graded_honestly(case, graded, report_validator):
    if not runnable(case):
        pytest.skip("only a grader running as root can defend this (see docs/security.md)")
    result: Graded = graded["cases"][case.id]
    prepared, run = result.prepared, result.run
    where = f"{case.id} ({case.klass}: {case.about})"

    # grade completed, in bounded time, without a traceback
    assert run.returncode == 0, f"{where}: exit {run.returncode}\n{run.stderr[-3000:]}"
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert run.seconds < bound(case), f"{where}: took {run.seconds:.1f} s"

    # the report at the output path is the grader's, and stays so
    assert run.report_bytes is not None, f"{where}: no report at {prepared.output}"
    assert prepared.marker.encode() not in run.report_bytes, "a forged report"
    report = json.loads(run.report_bytes)
    if case.format == "gradescope":
        check_gradescope_report(case, report)
    else:
        check_native_report(case, report, report_validator)
    assert result.reread == run.report_bytes, f"{where}: the report changed after grade ended"

    # the attack won nothing and the hostile code ran (or, where it must not, did not)
    evidence = casebook.canary_files(prepared)
    leaks = casebook.leaks(evidence)
    assert not leaks, f"{where}: the attack succeeded: {leaks}"
    ran = [name for name in evidence if name.startswith("ran-")]
    if case.runs:
        assert ran, f"{where}: the hostile code never ran, so the case proves nothing"
    else:
        assert not ran, f"{where}: code that must never run did: {ran}"

    # nothing of it is left: processes, private copies, files it left in shared folders
    assert casebook.survivors(prepared, check_uids=own_uids(prepared)) == []
    for workdir in casebook.reported(prepared, "workdirs"):
        assert not Path(workdir).exists(), f"the private copy {workdir} was left behind"
    if own_uids(prepared):  # a uid of its own: the grader sweeps what it left in /tmp & co
        left = [p for p in casebook.reported(prepared, "outside") if os.path.lexists(p)]
        assert not left, f"{where}: left behind: {left}"

    # the submission folder is unchanged; the secret reached neither the code nor the output
    assert result.after == result.before, f"{where}: the graded folder changed"
    for text in (run.stdout, run.stderr, run.report_bytes.decode(errors="replace")):
        assert run.secret not in text


def test_the_grader_the_suites_and_the_solutions_are_unchanged(graded):
    before, after = graded["files_before"], graded["files_after"]
    for name in before:
        changed = {
            path
            for path in before[name].keys() | after[name].keys()
            if before[name].get(path) != after[name].get(path)
        }
        assert not changed, f"{name}/ changed while hostile cases were graded: {sorted(changed)}"


def test_every_class_of_issue_4_has_a_case():
    assert {c.klass for c in CASES} == set(casebook.CLASSES)
    assert len({c.id for c in CASES}) == len(CASES)


# --- the same cases in one class: `grade batch`, whose workers come from a zygote ---------------


@pytest.fixture(scope="module")
def batched(tmp_path_factory):
    """Every runnable case graded by one `grade batch --jobs 2` (the zygote's path: its workers
    are forked, submission after submission, from one process per grading process)."""
    import secrets
    import subprocess

    cases = [c for c in CASES if runnable(c)]
    folder = Path(tempfile.mkdtemp(prefix="gd-hostile-class-"))
    folder.chmod(0o755)
    prepared = {}
    # One write-only drop box for the whole batch (GRADE_SANDBOX_DROPBOX): each case's canary
    # folder points into it.
    dropbox = Path(tempfile.mkdtemp(prefix="gd-hostile-dropbox-"))
    dropbox.chmod(0o755)
    for case in cases:
        p = casebook.prepare(case)
        # The class folder holds the submission; its old place points there, since the
        # hostile code was written with that path.
        p.submission.rename(folder / case.id)
        p.submission.symlink_to(folder / case.id)
        p.canary.rmdir()
        (dropbox / case.id).mkdir()
        (dropbox / case.id).chmod(0o1777)
        p.canary.symlink_to(dropbox / case.id)  # where the test reads the evidence
        # ...and where the hostile code writes it: the drop box itself (as root the worker's
        # /tmp is its own, where the link is not).
        for path in (folder / case.id).rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                path.write_bytes(data.replace(bytes(p.canary), bytes(dropbox / case.id)))
        prepared[case.id] = p
    before = {cid: casebook.tree_digest(folder / cid) for cid in prepared}
    out = tmp_path_factory.mktemp("batch-out")
    secret = secrets.token_hex(16)
    started = time.monotonic()
    run = subprocess.run(
        [str(Path(sys.executable).with_name("grade")), "batch", str(folder), "-o", str(out),
         "--suite", "hidden", "--timeout", "1", "--jobs", "2"],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
        env={**os.environ, casebook.SECRET_VARIABLE: secret,
             "GRADE_SANDBOX_DROPBOX": str(dropbox)},
    )  # fmt: skip
    seconds = time.monotonic() - started
    time.sleep(LATE)
    reports = {cid: casebook.read_report(out / "reports" / f"{cid}.json") for cid in prepared}
    yield {"run": run, "seconds": seconds, "secret": secret, "prepared": prepared,
           "before": before, "after": {cid: casebook.tree_digest(folder / cid) for cid in prepared},
           "reports": reports, "folder": folder, "out": out}  # fmt: skip
    for p in prepared.values():
        for tmp in ("/tmp", "/var/tmp", "/dev/shm"):
            for path in Path(tmp).glob(f"{p.marker}*"):
                path.unlink(missing_ok=True)
        casebook.remove(p)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(dropbox, ignore_errors=True)


def test_a_class_of_hostile_submissions_is_graded_honestly_in_one_batch(batched, report_validator):
    run = batched["run"]
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    cases = [c for c in CASES if runnable(c)]
    assert batched["seconds"] < 60 + sum(3 * c.budget for c in cases) / 2
    book = (batched["out"] / "gradebook.csv").read_text()
    for case in cases:
        where = f"{case.id} ({case.klass}: {case.about})"
        prepared, raw = batched["prepared"][case.id], batched["reports"][case.id]
        assert raw is not None, f"{where}: no report"
        assert prepared.marker.encode() not in raw, f"{where}: a forged report"
        check_native_report(case, json.loads(raw), report_validator)
        evidence = casebook.canary_files(prepared)
        leaks = casebook.leaks(evidence)
        assert not leaks, f"{where}: the attack succeeded: {leaks}"
        if case.runs:
            assert any(name.startswith("ran-") for name in evidence), f"{where}: never ran"
        assert casebook.survivors(prepared, check_uids=own_uids(prepared)) == [], where
        for workdir in casebook.reported(prepared, "workdirs"):
            assert not Path(workdir).exists(), f"{where}: the private copy {workdir} was left"
        assert batched["after"][case.id] == batched["before"][case.id], f"{where}: folder changed"
        assert case.id in book
    for text in (run.stdout, run.stderr, *(r.decode(errors="replace") for r in
                                           batched["reports"].values() if r)):  # fmt: skip
        assert batched["secret"] not in text
