"""The handout installs as its README says, for a student on a stock account who is not root.

The README's own Linux/macOS commands are run, word for word, by a user who is not root (made
here when the tests run as root), with the Python that a stock account has on its PATH: a fresh
venv, `pip install -e ".[plot,watch]"` (NumPy and matplotlib come from the package index, as
for a student), `grade`, then `grade plot -o curves.png`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pwd = pytest.importorskip("pwd", reason="the README's Linux/macOS commands need a POSIX system")

STUDENT = "gd-student"
#: What a new account on Debian or Ubuntu has on its PATH: no pyenv, no venv of ours.
STOCK_PATH = "/usr/local/bin:/usr/bin:/bin"
#: The machine's own settings for reaching the package index (a student's pip has its own).
NETWORK_SETTINGS = re.compile(r"^(PIP_\w+|(https?|no|all)_proxy|SSL_CERT_\w+)$", re.I)
INSTALL_LIMIT = 900  # seconds: the first install downloads NumPy and matplotlib


def _as_student() -> tuple[list[str], dict[str, str]]:
    """The command prefix that runs a command as a user who is not root, and its environment."""
    network = {k: v for k, v in os.environ.items() if NETWORK_SETTINGS.match(k)}
    if os.geteuid() != 0:
        ours = str(Path(sys.executable).parent)
        path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != ours)
        return [], {**network, "PATH": path, "HOME": str(Path.home()), "LANG": "C.UTF-8"}
    useradd, runuser = shutil.which("useradd"), shutil.which("runuser")
    if not (useradd and runuser):
        pytest.skip("run as root without useradd and runuser: no student who is not root to be")
    try:
        pwd.getpwnam(STUDENT)
    except KeyError:
        subprocess.run([useradd, "--create-home", "--shell", "/bin/bash", STUDENT], check=True)
    home = pwd.getpwnam(STUDENT).pw_dir
    environment = {**network, "PATH": STOCK_PATH, "HOME": home, "LANG": "C.UTF-8"}
    return [runuser, "-u", STUDENT, "--"], environment


def _linux_commands(readme: str) -> str:
    """The README's Linux and macOS commands: the first bash block of "Getting started"."""
    section = readme.split("## Getting started", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the handout README gives the Linux/macOS commands in a bash block"
    return block.group(1)


def test_a_student_who_is_not_root_installs_the_handout_as_its_readme_says(
    run_grade, world_readable_tmp
):
    student, environment = _as_student()
    built = world_readable_tmp / "handout"
    assert run_grade("release", built).returncode == 0
    commands = _linux_commands((built / "README.md").read_text(encoding="utf-8"))
    assert "python3 -m venv .venv" in commands and '".[plot,watch]"' in commands
    python3 = shutil.which("python3", path=environment["PATH"])
    if python3 is None:
        pytest.skip("this machine has no python3 on a stock account's PATH")
    probe = subprocess.run([*student, python3, "-c", "import ensurepip, venv"],
                           env=environment, capture_output=True, text=True)  # fmt: skip
    if probe.returncode != 0:
        pytest.skip(f"{python3} has no venv module here (Debian: apt install python3-venv)")

    def as_student(script: str, cwd: Path, timeout: float = 300):
        return subprocess.run([*student, "bash", "-euo", "pipefail", "-c", script], cwd=cwd,
                              env=environment, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)  # fmt: skip

    home = Path(environment["HOME"])
    made = as_student('mktemp -d "$HOME/handout-test.XXXXXX"', cwd=world_readable_tmp)
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip()) / "handout"
    assert folder.parent.parent == home
    try:
        copied = as_student(f"cp -r '{built}' '{folder}'", cwd=folder.parent)
        assert copied.returncode == 0, copied.stderr
        installed = as_student(commands, cwd=folder, timeout=INSTALL_LIMIT)
        assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
        assert "does not provide the extra" not in installed.stdout + installed.stderr
        assert "Total: 0 / 25" in installed.stdout
        assert "Traceback" not in installed.stderr
        plotted = as_student(". .venv/bin/activate && grade plot -o curves.png", cwd=folder)
        assert plotted.returncode == 0, plotted.stdout + plotted.stderr
        assert "Traceback" not in plotted.stderr
        assert (folder / "curves.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        owner = (folder / "curves.png").stat().st_uid
        assert owner == (pwd.getpwnam(STUDENT).pw_uid if student else os.geteuid())
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
