"""Benchmark: `grade watch`, the time from saving a file to the redrawn verdict.

Starts the real `grade watch DIR` in a subprocess on a copy of the reference solutions, waits
for its first view, then saves one exercise file (a new comment line at its end, so that its
content changes) N times, and measures, for each save, the wall time from the write to the
moment the view of that run has been printed. Prints the median and the spread.

Target (issue 13): median <= 0.3 s on the 2-core development machine.

    python bench/bench_watch.py [--saves 15] [--grade "python -m grader"]

`--grade` runs another copy of the command (e.g. the main branch's, for a before/after).
"""

from __future__ import annotations

import argparse
import os
import queue
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = ("batch_gradient", "sgd", "logistic_regression")


def lines_of(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put((time.perf_counter(), line))
    out.put((time.perf_counter(), None))


def wait_for(lines: queue.Queue, text: str, limit: float = 60.0) -> float:
    """The time the first line holding `text` arrived."""
    deadline = time.perf_counter() + limit
    while True:
        at, line = lines.get(timeout=max(0.01, deadline - time.perf_counter()))
        if line is None:
            raise RuntimeError("grade watch ended early")
        if text in line:
            return at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=15)
    parser.add_argument("--grade", default=str(Path(sys.executable).with_name("grade")))
    parser.add_argument("--suite", default="public")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "exercises"
        folder.mkdir()
        for module in MODULES:
            shutil.copy(ROOT / "solutions" / f"{module}.py", folder / f"{module}.py")
        command = [*shlex.split(options.grade), "watch", str(folder), "--suite", options.suite,
                   "--max-runs", str(options.saves + 1)]  # fmt: skip
        env = {**os.environ, "COLUMNS": "100"}
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                text=True, cwd=tmp, env=env)  # fmt: skip
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lines_of, args=(proc.stdout, lines), daemon=True).start()
        wait_for(lines, "grade watch: run 1 ")
        time.sleep(1.0)  # let the first run settle (a watcher set up, workers started)
        latencies = []
        target = folder / "sgd.py"
        for save in range(options.saves):
            text = target.read_text(encoding="utf-8") + f"# save {save}\n"
            start = time.perf_counter()
            target.write_text(text, encoding="utf-8")
            latencies.append(wait_for(lines, f"grade watch: run {save + 2} ") - start)
            time.sleep(0.5)  # a student does not save twice in the same instant
        proc.wait(timeout=60)

    median = statistics.median(latencies)
    print(f"grade watch, {options.suite} suite, {len(latencies)} saves of sgd.py")
    print(f"  save to verdict: median {median:.3f} s, "
          f"min {min(latencies):.3f} s, max {max(latencies):.3f} s")  # fmt: skip
    print(f"  target <= 0.3 s: {'met' if median <= 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
