"""A grading process of `grade batch`: grades one submission after another, on request.

The batch starts a few of these and feeds them submissions, so that Python, pytest and NumPy
are imported, and the suite collected and rehearsed (`rehearsal.warm_up`), once per process
rather than once per submission; each submission is then graded in a fork of that state,
exactly as `grade PATH` does (`grader.runner.grade_submission`), its workers forked from this
process's zygote (`grader.sandbox.process.Zygote`). The submission itself runs in the
sandbox's workers, never here. Requests and answers are JSON
lines: once warmed up the process says `{"ready": true}`; a request is `{"id": ..., "path": ...,
"checkpoint": ..., "key": ...}` on stdin, the answer `{"report": {...}, "note": ..., "rss_kib":
...}` on the original stdout, which nothing else may write to (stray prints go to stderr). While
a submission is graded, each exercise's result is written to the request's `checkpoint` file as
soon as its tests are done, with an HMAC of the request's `key`: when the batch stops a grading
at its wall-clock limit, it keeps those (`grader.instructor.batch.stopped_report`).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import tempfile
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Any

from grader.instructor.archive import ZipRejected, extract_zip
from grader.instructor.batch import checkpoint_mac
from grader.instructor.rehearsal import warm_up
from grader.report import ExerciseResult, Report, write_json_atomically
from grader.runner import grade_submission
from grader.sandbox import limits
from grader.sandbox.errors import SandboxBroken
from grader.sandbox.process import Zygote
from grader.submission import submission_root


def grade_one(
    path: Path, name: str, *, checkpoint: Path | None = None, key: str = "", **options: Any
) -> tuple[dict, str]:
    """The native report of the submission at `path` (a folder or a zip) and a gradebook note.

    `options` are `grade_submission`'s keyword arguments (suite, timeout, user). Each finished
    exercise's result is written to `checkpoint` as it comes (vouched for with `key`), for the
    batch to keep if it has to stop this grading. A zip that is unsafe and a folder that cannot
    be read are graded as an empty submission (zero), with a note that says why.
    """
    path = Path(path)
    handover = _Checkpoint(checkpoint, name, key) if checkpoint else None
    if path.is_file():
        with tempfile.TemporaryDirectory(prefix="grade-batch-") as tmp:
            unpacked = Path(tmp, "submission")
            unpacked.mkdir()
            try:
                extract_zip(path, unpacked)
            except ZipRejected as problem:
                return _empty(Path(tmp), name, options), f"zip rejected: {problem}"
            return _grade(submission_root(unpacked), name, options, handover), ""
    try:
        os.listdir(path)
    except OSError as problem:
        with tempfile.TemporaryDirectory(prefix="grade-batch-") as tmp:
            why = problem.strerror or type(problem).__name__
            return _empty(Path(tmp), name, options), f"folder rejected: cannot be read ({why})"
    return _grade(submission_root(path), name, options, handover), ""


def _grade(folder: Path, name: str, options: dict, checkpoint: Any = None) -> dict:
    report = grade_submission(folder, checkpoint=checkpoint, **options)
    report.submission = name
    return report.as_json()


def _empty(tmp: Path, name: str, options: dict) -> dict:
    """The report of an empty submission (every exercise missing), for a rejected one."""
    empty = tmp / "rejected"
    empty.mkdir()
    return _grade(empty, name, options)


class _Checkpoint:
    """Writes the exercises graded so far to a file, replacing it atomically after each one."""

    def __init__(self, path: Path, name: str, key: str) -> None:
        self.path, self.name, self.key, self.exercises = Path(path), name, key, []

    def __call__(self, exercise: ExerciseResult, confinement: dict) -> None:
        self.exercises.append(Report.well_formed(json.loads(json.dumps(asdict(exercise)))))
        document = {"exercises": self.exercises, "confinement": confinement}
        document["mac"] = checkpoint_mac(self.name, document, self.key)
        write_json_atomically(self.path, document)


def serve(requests, answers, **options: Any) -> None:
    """Answer each request with the report of a freshly forked copy of this process.

    The fork starts from the state reached after the imports and before any grading, so each
    submission is graded from the same state, exactly as a separate `grade PATH` would be: no
    suite module, cache or random state carries over from the submission graded before.
    """
    for line in requests:
        job = json.loads(line)
        answer = _in_a_fork(job, options)
        answers.write(json.dumps(answer, allow_nan=False) + "\n")
        answers.flush()


def _in_a_fork(job: dict, options: dict) -> dict:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: grade, hand the answer over, and leave without any cleanup of ours
        os.close(read_end)
        code = 0
        try:
            with os.fdopen(write_end, "w", encoding="utf-8") as out:
                json.dump(_grade_job(job, options), out, allow_nan=False)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as f:
        text = f.read()
    _, status = os.waitpid(pid, 0)
    workers_kib = 0
    zygote = options.get("fork_server")
    if isinstance(zygote, Zygote):
        workers_kib = zygote.reap()  # the reapers of that submission's workers came to us
        if not zygote.healthy():  # gone or stopped: the next submission gets a new one
            options["fork_server"] = _zygote()
    try:
        answer = json.loads(text)
        if "rss_kib" in answer:
            answer["rss_kib"]["worker"] = max(answer["rss_kib"]["worker"], workers_kib)
        return answer
    except ValueError:
        how = (
            f"signal {-os.waitstatus_to_exitcode(status)}"
            if os.WIFSIGNALED(status)
            else (f"exit status {os.waitstatus_to_exitcode(status)}")
        )
        return {"id": job["id"], "error": f"the grading child ended ({how}) without a report"}


def _grade_job(job: dict, options: dict) -> dict:
    try:
        checkpoint = Path(job["checkpoint"]) if job.get("checkpoint") else None
        report, note = grade_one(Path(job["path"]), job["id"], checkpoint=checkpoint,
                                 key=job.get("key", ""), **options)  # fmt: skip
        answer = {"id": job["id"], "report": report, "note": note}
    except Exception:  # a bug of the grader: the batch records it and goes on
        answer = {"id": job["id"], "error": traceback.format_exc()}
    answer["rss_kib"] = {
        "grader": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    }
    return answer


def _zygote() -> Zygote | bool:
    """A zygote for this process's submissions, or True (a fork server per submission) where
    the system has no pidfds or the zygote cannot start."""
    if not Zygote.available():
        return True
    try:
        return Zygote()
    except SandboxBroken:
        return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", required=True)
    parser.add_argument("--timeout", type=float, required=True)
    args = parser.parse_args()
    # Before anything else (the forks inherit it): when the batch runs as a normal user, a
    # worker of the same user must not read our memory, environment or descriptors (the
    # answers pipe among them) through /proc.
    limits.harden_trusted_process()
    # Many submissions in a row: fork every submission's workers from one zygote, which
    # imports Python's modules and NumPy once for the whole batch (less CPU); it starts now, so
    # its imports overlap the warm-up.
    options = {"suite": args.suite, "timeout": args.timeout, "fork_server": _zygote()}
    warm_up(args.suite)
    # What every fork inherits from here on is never scanned by the collector again: less work
    # per submission, and fewer pages copied into each fork.
    gc.freeze()
    # The answers get a private copy of stdout; fd 1 itself now points at stderr.
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # Ready: the batch starts each submission's wall clock only now, not during the warm-up.
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    try:
        serve(sys.stdin, answers, **options)
    except (BrokenPipeError, KeyboardInterrupt):
        pass  # the batch is gone or stopping: nothing left to answer
    finally:
        if isinstance(options["fork_server"], Zygote):
            options["fork_server"].close()


if __name__ == "__main__":
    main()
