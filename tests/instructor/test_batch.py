"""`grade batch`: a class with hostile, hanging and broken submissions, resumed after interruptions.

Every run goes through the real CLI in a subprocess, as an instructor would run it.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader.sandbox import proctree

GRADE = str(Path(sys.executable).with_name("grade"))
SOLUTIONS = Path(__import__("solutions").__file__).parent
STUBS = Path(__import__("exercises").__file__).parent
HANG_IN_PREDICT = "\n\ndef predict(X, w, b, threshold=0.5):\n    while True:\n        pass\n"


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def statuses(report: dict) -> list[tuple[str, str]]:
    return [(t["name"], t["status"]) for e in report["exercises"] for t in e["tests"]]


@pytest.fixture
def a_class(tmp_path, make_submission):
    """Good, empty, hostile, hanging, zipped and malicious submissions side by side."""
    folder = tmp_path / "class"
    make_submission(folder / "alice")
    make_submission(folder / "bob", batch_gradient=None, sgd=None, logistic_regression=None)
    for name in ("batch_gradient", "sgd", "logistic_regression"):
        (folder / "bob" / f"{name}.py").write_bytes((STUBS / f"{name}.py").read_bytes())
    make_submission(folder / "carol", sgd="while True:\n    pass\n")
    make_submission(folder / "dave", batch_gradient="import os\nos._exit(1)\n")
    source = (SOLUTIONS / "logistic_regression.py").read_text() + HANG_IN_PREDICT
    make_submission(folder / "erin", logistic_regression=source)
    with zipfile.ZipFile(folder / "frank.zip", "w") as zf:  # a repository, zipped
        for name in ("batch_gradient.py", "sgd.py", "logistic_regression.py"):
            zf.write(SOLUTIONS / name, f"frank-repo/exercises/{name}")
        zf.writestr("frank-repo/README.md", "my work")
    with zipfile.ZipFile(folder / "gina.zip", "w") as zf:
        zf.write(SOLUTIONS / "sgd.py", "sgd.py")
        zf.writestr("../escaped.py", "print('out of the box')")
    (folder / ".DS_Store").write_text("not a submission")
    (folder / "notes.txt").write_text("not a submission either")
    return folder


def test_a_class_with_hostile_and_hanging_submissions(a_class, tmp_path, validate_report):
    out = tmp_path / "out"
    run = subprocess.run(
        [GRADE, "batch", a_class, "-o", out, "--suite", "hidden", "--timeout", "1", "--jobs", "2"],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    book = gradebook(out)
    assert sorted(book) == ["alice", "bob", "carol", "dave", "erin", "frank", "gina"]
    for submission in book:
        validate_report(json.loads((out / "reports" / f"{submission}.json").read_text()))
    scores = {k: (row["total"], row["batch_gradient"], row["sgd"], row["logistic_regression"])
              for k, row in book.items()}  # fmt: skip
    assert scores["alice"] == scores["frank"] == ("25", "10", "5", "10")
    assert scores["bob"] == ("0", "0", "0", "0")
    assert scores["carol"] == ("20", "10", "0", "10")  # looping at import costs its exercise only
    assert scores["dave"] == ("15", "0", "5", "10")  # so does os._exit at import
    assert scores["erin"] == ("24", "10", "5", "9")  # a hanging predict loses its point only
    assert book["gina"]["status"] == "zip rejected" and "outside" in book["gina"]["note"]
    assert scores["gina"][0] == "0"
    assert not list(tmp_path.rglob("escaped.py"))
    assert {row["status"] for k, row in book.items() if k != "gina"} == {"graded"}
    summary = (out / "summary.md").read_text()
    assert "7 submissions" in summary and "## Tests most often failed" in summary
    assert "mean 15" in summary or "Total: mean" in summary

    # Scores from the batch are the scores of grading each submission alone.
    for submission in ("alice", "carol", "dave", "erin"):
        alone = tmp_path / f"{submission}-alone.json"
        single = subprocess.run(
            [GRADE, a_class / submission, "--suite", "hidden", "--timeout", "1", "-o", alone],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert single.returncode == 0, single.stderr
        batch = json.loads((out / "reports" / f"{submission}.json").read_text())
        expected = json.loads(alone.read_text())
        assert batch["score"] == expected["score"], submission
        assert statuses(batch) == statuses(expected), submission


def test_a_submission_past_the_wall_clock_limit_is_stopped_and_scored_zero(
    tmp_path, make_submission, validate_report
):
    # Slow in the first exercise graded: nothing is finished when the limit comes (a slow
    # later exercise keeps the earlier ones: test_batch_intake.py).
    folder = tmp_path / "class"
    sleepy = (SOLUTIONS / "batch_gradient.py").read_text() + (
        "\n\ndef predict(X, w, b):\n    import time\n    time.sleep(600)\n"
    )
    make_submission(folder / "sleepy", batch_gradient=sleepy)
    out = tmp_path / "out"
    started = time.monotonic()
    run = subprocess.run(
        [GRADE, "batch", folder, "-o", out, "--suite", "hidden", "--timeout", "60",
         "--wall-limit", "3"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started < 30
    row = gradebook(out)["sleepy"]
    assert row["status"] == "timeout" and row["total"] == "0"
    report = validate_report(json.loads((out / "reports" / "sleepy.json").read_text()))
    assert {t["status"] for e in report["exercises"] for t in e["tests"]} == {"timeout"}
    assert "limit" in report["grader_errors"][0]
    assert "sleepy: timeout" in run.stdout


def _records(out: Path) -> dict[str, dict]:
    found = {}
    for path in (out / ".batch").glob("*.json"):
        try:
            found[path.stem] = json.loads(path.read_text())
        except ValueError:
            pass
    return found


def _start(folder: Path, out: Path) -> subprocess.Popen:
    # A shell that runs this suite in the background ignores SIGINT, and children inherit
    # that; the batch must see Ctrl-C as a person's terminal would send it.
    return subprocess.Popen(
        [GRADE, "batch", folder, "-o", out, "--jobs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip


def _wait_for_records(out: Path, count: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while len(_records(out)) < count:
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_an_interrupted_batch_resumes_without_regrading_what_is_done(tmp_path, make_submission):
    folder = tmp_path / "class"
    for i in range(8):
        make_submission(folder / f"s{i}", sgd=None if i % 2 else (SOLUTIONS / "sgd.py").read_text())
    out = tmp_path / "out"

    # Ctrl-C: the batch stops its graders and says how to resume.
    first = _start(folder, out)
    _wait_for_records(out, 2, first)
    first.send_signal(signal.SIGINT)
    _, err = first.communicate(timeout=60)
    assert first.returncode == 130 and "run the same command again" in err
    after_interrupt = len(_records(out))
    assert 2 <= after_interrupt < 8

    # kill -9 of the batch alone: its grading processes finish what they hold and go away.
    second = _start(folder, out)
    _wait_for_records(out, after_interrupt + 1, second)
    graders = proctree.descendants(second.pid)
    second.kill()
    second.communicate()
    deadline = time.monotonic() + 60
    while any(_alive(pid) for pid in graders):
        assert time.monotonic() < deadline, "a grading process outlived its batch"
        time.sleep(0.1)
    done = _records(out)
    assert after_interrupt < len(done) < 8
    for submission_id in done:  # every report on disk is whole
        json.loads((out / "reports" / f"{submission_id}.json").read_text())
    stamps = {s: (out / "reports" / f"{s}.json").stat().st_mtime_ns for s in done}

    third = subprocess.run([GRADE, "batch", folder, "-o", out], capture_output=True, text=True,
                           timeout=120)  # fmt: skip
    assert third.returncode == 0, third.stderr
    assert f"Graded {8 - len(done)}, kept {len(done)} already graded" in third.stdout
    assert {s: (out / "reports" / f"{s}.json").stat().st_mtime_ns for s in done} == stamps
    book = gradebook(out)
    assert len(book) == 8
    assert {book[f"s{i}"]["total"] for i in range(0, 8, 2)} == {"25"}
    assert {book[f"s{i}"]["total"] for i in range(1, 8, 2)} == {"20"}

    # A changed submission, and only it, is graded again; so is everything for another suite.
    (folder / "s1" / "sgd.py").write_bytes((SOLUTIONS / "sgd.py").read_bytes())
    fourth = subprocess.run([GRADE, "batch", folder, "-o", out], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert "Graded 1, kept 7" in fourth.stdout
    assert gradebook(out)["s1"]["total"] == "25"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def test_batch_refuses_a_missing_folder(tmp_path):
    run = subprocess.run([GRADE, "batch", tmp_path / "nope", "-o", tmp_path / "out"],
                         capture_output=True, text=True)  # fmt: skip
    assert run.returncode == 2 and "does not exist" in run.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="the worker changes user only when grading as root")
def test_every_submission_of_a_batch_runs_as_a_user_of_its_own(tmp_path, make_submission):
    """No uid is shared by two submissions, at the same time or one after the other: nothing
    tied to a uid (files, keyrings, processes) can pass from one student to the next."""
    spy = (SOLUTIONS / "sgd.py").read_text() + (
        "\n\n_step = sgd_step\n\ndef sgd_step(*args):\n"
        "    import os\n    print('uid', os.getuid())\n    return _step(*args)\n"
    )
    folder = tmp_path / "class"
    for name in ("a", "b", "c", "d"):
        make_submission(folder / name, sgd=spy)
    out = tmp_path / "out"
    run = subprocess.run([GRADE, "batch", folder, "-o", out, "--jobs", "2"], capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    seen = {}
    for name in ("a", "b", "c", "d"):
        text = (out / "reports" / f"{name}.json").read_text()
        seen[name] = {int(u) for u in re.findall(r"uid (\d+)", text)}
        assert seen[name] and 0 not in seen[name]
    assert all(not (seen[a] & seen[b]) for a in seen for b in seen if a < b), seen
    assert len({row["total"] for row in gradebook(out).values()}) == 1  # whoever graded it


#: A grading process whose stdout something else wrote to first: a line for somebody else (as a
#: worker of the batch's own user could do through /proc if the process were dumpable).
ANSWERS_OUT_OF_TURN = r"""
import json, sys
request = json.loads(sys.stdin.readline())
print(json.dumps({"id": "somebody-else", "report": None, "error": "forged"}), flush=True)
sys.stdin.readline()
"""


def test_an_answer_for_another_submission_is_refused(tmp_path):
    from grader.instructor.batch import GradingProcess
    from grader.instructor.submissions import Submission

    process = GradingProcess(suite="hidden", timeout=1.0, log=tmp_path / "log")
    process.proc = subprocess.Popen(
        [sys.executable, "-c", ANSWERS_OUT_OF_TURN], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        outcome = process.grade(Submission("alice", tmp_path), wall_limit=30)
    finally:
        process.kill()
    assert outcome.status == "grader crashed" and outcome.report is None
    assert "somebody-else" in outcome.note
