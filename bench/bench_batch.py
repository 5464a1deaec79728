"""Benchmark of `grade batch`: a generated class of correct, buggy and broken submissions.

    python bench/bench_batch.py [--submissions 120] [--jobs 2] [--suite hidden] [--alone 5]

Each submission is the reference solutions with text edits: untouched (correct), one realistic
mistake (buggy), or broken (syntax error, failing import, exception or exit at import, a module
missing, an endless loop at import). The class is graded by the real CLI in a subprocess, like an
instructor would; the script prints submissions per second, CPU time, the peak memory of each
grading process and of the submission workers, and checks on a sample that the batch's scores
equal grading each submission alone. Target: >= 3 submissions/s on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
GRADE = str(Path(sys.executable).with_name("grade"))
MODULES = ("batch_gradient", "sgd", "logistic_regression")

#: One realistic mistake each: (module, text in the reference, replacement).
BUGS = [
    ("batch_gradient", "dw = 2.0 / n * (X.T @ residual)", "dw = 1.0 / n * (X.T @ residual)"),
    ("batch_gradient", "return _column(w) - eta", "return _column(w) + eta"),
    ("batch_gradient", "if abs(loss - previous_loss) < tol:", "if abs(loss - previous_loss) < 0:"),
    ("batch_gradient", "order = rng.permutation(n)", "order = np.random.permutation(n)"),
    ("sgd", "b = b - eta * 2.0 * float(residual[0, 0])", "b = b"),
    ("sgd", "for i in rng.permutation(n):", "for i in range(n):"),
    ("logistic_regression", ">= threshold)", "> threshold)"),
    ("logistic_regression", "p = np.clip(_column(p), eps, 1.0 - eps)", "p = _column(p)"),
    ("logistic_regression", "w, b = w - eta * dw, b - eta * db", "w, b = w - eta * dw, b"),
]  # fmt: skip
#: Broken submissions: (module, how). "missing" leaves the module out.
BROKEN = [
    ("sgd", "syntax"),
    ("batch_gradient", "import"),
    ("logistic_regression", "raise"),
    ("sgd", "exit"),
    ("logistic_regression", "missing"),
    ("batch_gradient", "loop"),
]
BREAKAGE = {
    "syntax": lambda text: text.replace("def ", "def def ", 1),
    "import": lambda text: "import numpy_but_misspelled\n" + text,
    "raise": lambda text: text + "\nraise RuntimeError('left over from debugging')\n",
    "exit": lambda text: text + "\nimport sys\nsys.exit(0)\n",
    "loop": lambda text: text + "\nwhile True:\n    pass\n",
}


def generate(folder: Path, count: int, seed: int = 0) -> Counter:
    """Write `count` submissions into `folder`: half correct, a third buggy, the rest broken."""
    rng = random.Random(seed)
    originals = {m: (SOLUTIONS / f"{m}.py").read_text() for m in MODULES}
    kinds: Counter = Counter()
    for i in range(count):
        texts = dict(originals)
        roll = rng.random()
        if roll < 0.5:
            kind = "correct"
        elif roll < 0.85:
            module, old, new = rng.choice(BUGS)
            assert old in texts[module], f"the bug {old!r} no longer applies to {module}"
            texts[module] = texts[module].replace(old, new)
            kind = "buggy"
        else:
            # Endless loops are rare in a real class; they cost a full timeout each.
            choices = BROKEN if i % 60 == 59 else BROKEN[:-1]
            module, how = rng.choice(choices)
            texts[module] = None if how == "missing" else BREAKAGE[how](texts[module])
            kind = f"broken ({how})"
        student = folder / f"student{i:03d}"
        student.mkdir()
        for module, text in texts.items():
            if text is not None:
                (student / f"{module}.py").write_text(text)
        kinds[kind] += 1
    return kinds


#: Phases of one grade: (label, file suffix, function name) of the profile entry that covers it.
PHASES = [
    ("grade_submission, in all", "runner.py", "grade_submission"),
    ("  start the workers (Sandbox)", "client.py", "__init__"),
    ("  pytest: configure and collect", "main.py", "perform_collect"),
    ("  pytest: run the tests", "main.py", "pytest_runtestloop"),
    ("    calls into the workers (channel, waiting)", "client.py", "call"),
    ("    the reference's answers (remembered)", "conftest.py", "expected"),
    ("  build the report", "runner.py", "_build_report"),
    ("  stop the workers, clean up", "client.py", "close"),
]


def profile_one(suite: str) -> None:
    """Profile one grade of the reference exactly as a grading process of `grade batch` does
    it: after the warm-up (collection and rehearsal), in a fork, workers from the zygote."""
    import cProfile
    import gc
    import os
    import pstats

    from grader.instructor.grading_process import _zygote
    from grader.instructor.rehearsal import warm_up
    from grader.runner import grade_submission

    zygote = _zygote()
    warm_up(suite)
    gc.freeze()
    for _ in range(2):  # the first grade after the warm-up: as every other one
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                profiler = cProfile.Profile()
                started, cpu0 = time.perf_counter(), time.process_time()
                profiler.runcall(grade_submission, SOLUTIONS, suite=suite, fork_server=zygote)
                wall, cpu = time.perf_counter() - started, time.process_time() - cpu0
                stats = pstats.Stats(profiler).stats
                lines = [f"one grade of the reference, {suite} suite: {wall:.2f} s wall "
                         "(under the profiler)"]  # fmt: skip
                for label, suffix, name in PHASES:
                    cumulative = sum(
                        row[3] for (file, _, function), row in stats.items()
                        if function == name and file.endswith(suffix)
                    )  # fmt: skip
                    lines.append(f"{label:<48}{cumulative:6.2f} s")
                os.write(write_end, json.dumps([lines, cpu]).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as f:
            lines, grader_cpu = json.loads(f.read())
        os.waitpid(pid, 0)
        if not isinstance(zygote, bool):
            zygote.reap()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print("\n".join(lines))
    print(
        f"CPU: grading fork {grader_cpu:.2f} s (with the profiler's own), "
        f"workers {total - grader_cpu:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--suite", default="hidden")
    parser.add_argument("--alone", type=int, default=5, help="submissions re-graded alone")
    parser.add_argument("--keep", action="store_true", help="keep the generated folders")
    parser.add_argument("--profile", action="store_true", help="where one grade spends its time")
    args = parser.parse_args()
    if args.profile:
        profile_one(args.suite)
        return

    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    work.chmod(0o755)
    try:
        klass, out = work / "class", work / "out"
        klass.mkdir()
        kinds = generate(klass, args.submissions)
        print(
            f"{args.submissions} submissions: "
            + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        run = subprocess.run(
            [GRADE, "batch", klass, "-o", out, "--suite", args.suite, "--jobs", str(args.jobs)],
            capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if run.returncode != 0:
            sys.exit(f"grade batch failed:\n{run.stderr}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        records = [json.loads(p.read_text()) for p in (out / ".batch").glob("*.json")]
        grader_rss = max(r["rss_kib"].get("grader", 0) for r in records) / 1024
        worker_rss = max(r["rss_kib"].get("worker", 0) for r in records) / 1024
        seconds = sorted(r["seconds"] for r in records)
        statuses = Counter(r["status"] for r in records)
        print(f"jobs {args.jobs}, suite {args.suite}: {wall:.1f} s wall, {cpu:.1f} s CPU")
        print(f"throughput: {args.submissions / wall:.2f} submissions/s (target >= 3 on 2 cores)")
        print(f"CPU per submission: {cpu / args.submissions:.2f} s")
        print(
            f"time per submission in a grading process: median {seconds[len(seconds) // 2]:.2f} s, "
            f"slowest {seconds[-1]:.1f} s; statuses: {dict(statuses)}"
        )
        print(f"peak memory per worker: grading process {grader_rss:.0f} MiB, "
              f"submission worker {worker_rss:.0f} MiB")  # fmt: skip

        with (out / "gradebook.csv").open(newline="") as f:
            book = {row["id"]: row for row in csv.DictReader(f)}
        sample = random.Random(1).sample(sorted(book), min(args.alone, len(book)))
        for student in sample:
            single = work / f"{student}.json"
            subprocess.run([GRADE, klass / student, "--suite", args.suite, "-o", single],
                           capture_output=True, check=True)  # fmt: skip
            alone = json.loads(single.read_text())["score"]
            same = "same" if f"{alone:g}" == book[student]["total"] else "DIFFERENT"
            print(f"  {student}: batch {book[student]['total']}, alone {alone:g} ({same})")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
