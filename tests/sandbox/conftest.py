"""Sandbox test fixtures: submissions written into tmp_path, and a leftover-process probe."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from grader.sandbox import proctree
from grader.sandbox.client import Sandbox

#: Short, so that every hostile test ends quickly; the calls that do finish take milliseconds.
TIMEOUT = 1.0


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """`write(name=source, ...)` writes `name.py` files into a fresh submission folder."""

    def write(folder: str = "submission", **modules: str) -> Path:
        root = tmp_path / folder
        root.mkdir(exist_ok=True)
        for name, source in modules.items():
            (root / f"{name}.py").write_text(textwrap.dedent(source))
        return root

    return write


@pytest.fixture
def sandbox(write, leftovers) -> Iterator[Callable[..., Sandbox]]:
    """`sandbox(name=source, ...)`: a Sandbox over those modules, closed after the test, which
    then checks that none of its processes is left."""
    made: list[Sandbox] = []

    def make(*, timeout: float = TIMEOUT, **modules: str) -> Sandbox:
        box = Sandbox(write(**modules), timeout=timeout)
        made.append(box)
        return box

    yield make
    for box in made:
        box.close()
        assert leftovers(box) == []


@pytest.fixture
def leftovers() -> Callable[[Sandbox], list[int]]:
    """`leftovers(sandbox)`: its processes still alive, and zombies it left to us (our children
    that died during the test and were not reaped)."""
    zombies_before = _our_zombies(proctree.processes())

    def leftovers(box: Sandbox) -> list[int]:
        marker = f"GD_SANDBOX={box.token}".encode()
        table = proctree.processes()
        found = sorted(_our_zombies(table) - zombies_before)
        for pid, (_, state, _) in table.items():
            if state == "Z":
                continue
            try:
                with open(f"/proc/{pid}/environ", "rb") as f:
                    if marker in f.read().split(b"\0"):
                        found.append(pid)
            except OSError:
                pass
        return found

    return leftovers


def _our_zombies(table: dict) -> set[int]:
    return {pid for pid, (ppid, state, _) in table.items() if ppid == os.getpid() and state == "Z"}


@pytest.fixture
def world_writable_folder() -> Iterator[Path]:
    """A submission folder the worker's unprivileged user could write into (tmp_path is private)."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix="gd-test-open-"))
    root.chmod(0o777)
    yield root
    shutil.rmtree(root, ignore_errors=True)
