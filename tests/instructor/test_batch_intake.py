"""A batch no folder can stop (issue 11, part 4), and the batch's papercuts (issue 13).

Named pipes, sockets, devices, unreadable entries, names that are not UTF-8 or very long, files
named like the batch's outputs, deep and crowded trees, zips of any shape: each submission is
graded or rejected with a note in its gradebook row, and every other entry of the class folder
is named as not graded. Every run is the real `grade batch` in a subprocess, as root and (where
it differs) as a normal user.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

GRADE = str(Path(sys.executable).with_name("grade"))
SOLUTIONS = Path(__import__("solutions").__file__).parent
MODULES = ("batch_gradient.py", "sgd.py", "logistic_regression.py")
AS_ROOT = os.geteuid() == 0
#: A bound on one batch run: a hang fails the test instead of blocking CI.
RUN_LIMIT = 300
NON_UTF8 = os.fsdecode(b"caf\xe9")
LONG_NAME = "n" * 200


def run_batch(*args, user=None) -> subprocess.CompletedProcess:
    """`grade batch ...` as root (or whoever runs the tests), or as a normal user (the
    `normal_user` fixture's installation)."""
    if user is not None:
        return user.run("batch", *args)
    return subprocess.run(
        [GRADE, "batch", *map(str, args)], capture_output=True, stdin=subprocess.DEVNULL,
        timeout=RUN_LIMIT, env={**os.environ, "PYTHONIOENCODING": "utf-8"}, cwd="/",
    )  # fmt: skip


def gradebook(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def reference(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in MODULES:
        shutil.copyfile(SOLUTIONS / name, folder / name)
    return folder


def make_socket(path: Path) -> None:
    """A Unix socket file at `path` (bound in a short folder: socket paths hold 108 bytes)."""
    with tempfile.TemporaryDirectory() as short:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(os.path.join(short, "s"))
        sock.close()
        os.rename(os.path.join(short, "s"), path)


def hostile_class(folder: Path) -> Path:
    """Honest code in hostile folders, and entries that are no submission at all."""
    alice = reference(folder / "alice")
    os.mkfifo(alice / "pipe.py")  # the digest must never open it
    make_socket(alice / "socket")
    (alice / "gradebook.csv").write_text("id,total\nalice,25\n")  # named like the outputs
    (alice / "summary.md").write_text("# not ours")
    (alice / ".batch").mkdir()
    (alice / "reports").mkdir()
    (alice / "secret.txt").write_text("unreadable")
    (alice / "secret.txt").chmod(0)
    if AS_ROOT:
        os.mknod(alice / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    reference(folder / NON_UTF8)
    reference(folder / LONG_NAME)
    deep = reference(folder / "deep")
    os.makedirs(deep / "/".join(["d"] * 60))
    os.mkfifo(deep / "/".join(["d"] * 30) / "pipe")
    crowded = reference(folder / "crowded")
    (crowded / "data").mkdir()
    for i in range(21_000):
        (crowded / "data" / f"{i}.txt").touch()
    with zipfile.ZipFile(folder / "longname.zip", "w") as zf:
        for name in MODULES:
            zf.write(SOLUTIONS / name, name)
        zf.writestr("x" * 300 + ".py", "print('a name no file system takes')")
    with zipfile.ZipFile(folder / "nested.zip", "w") as zf:  # a repository, zipped, deep
        for name in MODULES:
            zf.write(SOLUTIONS / name, f"repo/src/exercises/{name}")
    (folder / "not-a.zip").write_bytes(b"PK\x03\x04 broken")
    os.mkfifo(folder / "a-pipe")
    make_socket(folder / "a-socket")
    (folder / "a-link").symlink_to(alice)
    (folder / "notes.txt").write_text("not a submission")
    return folder


def check_hostile_class(run, out: Path) -> None:
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    stdout = run.stdout.decode("utf-8")
    assert "Traceback" not in run.stderr.decode(errors="replace")
    book = gradebook(out)
    long_id = next(k for k in book if k.startswith("n" * 50))
    full = ("25", "10", "5", "10")
    for sid in ("alice", "caf\\xe9", long_id, "deep", "crowded", "nested"):
        row = book[sid]
        assert (row["total"], row["batch_gradient"], row["sgd"], row["logistic_regression"]) == (
            full
        ), (sid, row)
        assert row["status"] == "graded", (sid, row)
    assert book["longname"]["status"] == "zip rejected"
    assert "too long" in book["longname"]["note"] and book["longname"]["total"] == "0"
    assert book["not-a"]["status"] == "zip rejected"
    assert "not a readable zip" in book["not-a"]["note"]
    assert len(book) == 8
    for name in ("a-pipe: a named pipe", "a-socket: a socket", "a-link: a symbolic link",
                 "notes.txt: a file"):  # fmt: skip
        assert f"Not graded: {name}" in stdout, stdout
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "8 submissions" in summary
    for report in (out / "reports").iterdir():
        json.loads(report.read_bytes().decode("utf-8"))


def test_a_hostile_class_folder_is_graded_whole_as_root(world_tmp, validate_report):
    folder = hostile_class(world_tmp / "class")
    out = world_tmp / "out"
    run = run_batch(folder, "-o", out, "--suite", "hidden", "--jobs", "2")
    check_hostile_class(run, out)
    validate_report(json.loads((out / "reports" / "alice.json").read_text()))
    # Nothing changed: a second run keeps every report (the digests are stable and end).
    again = run_batch(folder, "-o", out, "--suite", "hidden", "--jobs", "2")
    assert again.returncode == 0 and b"Graded 0, kept 8" in again.stdout, again.stdout


def test_a_hostile_class_folder_is_graded_whole_as_a_normal_user(world_tmp, normal_user):
    # The instructor's own installation, which the user runs (this checkout's instructor-only
    # folders are root's): see tests/normal_user.py.
    folder = hostile_class(world_tmp / "class")
    reference(folder / "locked").chmod(0)  # a folder this user cannot read: rejected, said
    out = normal_user.own(world_tmp / "out")
    run = run_batch(folder, "-o", out, "--suite", "hidden", "--jobs", "2", user=normal_user)
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    book = gradebook(out)
    assert book["locked"]["status"] == "folder rejected", book["locked"]
    assert "cannot be read" in book["locked"]["note"]
    (folder / "locked").chmod(0o755)
    shutil.rmtree(folder / "locked")
    check_hostile_class(run_batch(folder, "-o", out, "--suite", "hidden", user=normal_user), out)


def test_a_slow_exercise_past_the_wall_limit_keeps_the_finished_ones(world_tmp, validate_report):
    sleepy = reference(world_tmp / "class" / "sleepy")
    source = (SOLUTIONS / "sgd.py").read_text() + (
        "\n\ndef sgd_step(x, y, w, b, eta):\n    import time\n    time.sleep(600)\n"
    )
    (sleepy / "sgd.py").write_text(source)
    out = world_tmp / "out"
    run = run_batch(world_tmp / "class", "-o", out, "--suite", "hidden", "--timeout", "60",
                    "--wall-limit", "20")  # fmt: skip
    assert run.returncode == 0, run.stderr
    row = gradebook(out)["sleepy"]
    assert row["status"] == "timeout" and "limit" in row["note"]
    assert (row["total"], row["batch_gradient"], row["sgd"], row["logistic_regression"]) == (
        "20", "10", "0", "10",
    )  # fmt: skip
    report = validate_report(json.loads((out / "reports" / "sleepy.json").read_text()))
    sgd = next(e for e in report["exercises"] if e["name"] == "sgd")
    assert {t["status"] for t in sgd["tests"]} == {"timeout"}
    honest = [t for e in report["exercises"] if e["name"] != "sgd" for t in e["tests"]]
    assert len(honest) > 20 and {t["status"] for t in honest} == {"passed"}


# -- issue 13: the batch's papercuts ------------------------------------------------------------


def test_a_folder_without_submissions_says_what_it_found(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "notes.txt").write_text("")
    run = run_batch(folder, "-o", tmp_path / "out")
    assert run.returncode == 2
    assert b"holds no submission" in run.stderr and b"notes.txt" in run.stderr, run.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    run = run_batch(empty, "-o", tmp_path / "out")
    assert run.returncode == 2 and b"it is empty" in run.stderr, run.stderr


@pytest.mark.parametrize("inside", ["", "exercises"])
def test_one_students_folder_is_not_taken_for_a_class(tmp_path, inside):
    student = tmp_path / "alice"
    reference(student / inside)
    run = run_batch(student, "-o", tmp_path / "out")
    assert run.returncode == 2, run.stdout
    assert b"looks like one student's submission" in run.stderr, run.stderr
    assert b"batch_gradient.py" in run.stderr
    assert not (tmp_path / "out").exists()


def test_without_a_terminal_each_submission_gets_a_line(tmp_path):
    folder = tmp_path / "class"
    reference(folder / "alice")
    (folder / "bob").mkdir()
    (folder / "bob" / "sgd.py").write_text("def sgd_step(:\n")  # a syntax error
    run = run_batch(folder, "-o", tmp_path / "out", "--suite", "hidden")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.decode().splitlines()
    assert "Grading 2 of 2 submissions." in lines
    assert any(line.startswith("[") and "alice: graded, 25 / 25 in" in line for line in lines)
    assert any("bob: graded, 0 / 25 in" in line for line in lines), lines
    book = gradebook(tmp_path / "out")
    assert "sgd.py" in book["bob"]["note"] and "syntax error" in book["bob"]["note"], book["bob"]
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "broken module" in summary, summary


def test_a_checkpoint_counts_only_when_the_grading_process_vouched_for_it(tmp_path):
    from grader.instructor.batch import checkpoint_mac, stopped_report

    honest = stopped_report("alice", suite="hidden", note="", checkpoint=tmp_path / "none",
                            key="k")  # fmt: skip
    finished = honest.as_json()["exercises"][:1]
    finished[0]["tests"] = [{**t, "status": "passed", "score": t["max_score"], "feedback": ""}
                            for t in finished[0]["tests"]]  # fmt: skip
    finished[0]["score"] = finished[0]["max_score"]
    checkpoint = tmp_path / "checkpoint.json"
    document = {"exercises": finished, "confinement": {"mode": "linux", "filesystem": None}}
    for mac, kept in [("forged", 0), (checkpoint_mac("alice", document, "k"), 10)]:
        checkpoint.write_text(json.dumps({**document, "mac": mac}))
        report = stopped_report("alice", suite="hidden", note="", checkpoint=checkpoint, key="k")
        assert report.score == kept
