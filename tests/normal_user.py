"""`grade` run by a normal user: an installation that user can start, built once per session.

As root, `grade` runs its workers as uids of their own. Run by a normal user, the workers are
that user too, so only Landlock and the system-call filter keep a submission out of what the
user can read: the instructor's installation (reference, hidden suite), copies of the answers
left elsewhere, what another submission of the batch left behind. The tests of that need a
`grade` the user can start, which this checkout is not (pyenv's Pythons live in root's home,
and the grader makes a checkout's instructor-only folders root's): so a copy of the project is
installed (not editable) into a venv of the system's Python, which sees this environment's
NumPy, pytest and click through a .pth line (nothing is downloaded).

tests/conftest.py loads this file by its path and builds the installation in its session
fixture `normal_user`, which skips, saying why, where the machine cannot run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOBODY = 65534
#: A Python another user may run (the one running the tests may live in root's home folder).
SYSTEM_PYTHON = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
#: Bounds on building the installation and on one `grade` run: a hang fails, CI goes on.
INSTALL_LIMIT = 300
RUN_LIMIT = 300
#: What the installation leaves out of the project: the tests (golden cases hold answers) and
#: what is not the package.
LEFT_OUT = (".git", "build", "*.egg-info", "__pycache__", "tests", "bench")


def as_user(uid: int) -> list[str]:
    """The command prefix that runs what follows as `uid` (group too, no other groups)."""
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]


def unavailable(uid: int = NOBODY, python: Path = SYSTEM_PYTHON) -> str | None:
    """Why `grade` cannot be run here as `uid` (None when it can): it needs Linux, root (to
    become the user), setpriv, and a Python the user can run that can start itself again (as
    the grader starts its workers)."""
    if sys.platform != "linux":
        return "needs Linux, to run the grader as a normal user"
    if os.geteuid() != 0:
        return "needs root, to run the grader as a normal user"
    if not shutil.which("setpriv"):
        return "needs setpriv (util-linux), to run the grader as a normal user"
    if not python.exists():
        return f"needs {python}, a Python a normal user can run"
    again = "import subprocess, sys; subprocess.run([sys.executable, '-c', ''], check=True)"
    probe = subprocess.run([*as_user(uid), str(python), "-c", again], capture_output=True,
                           cwd="/", timeout=60)  # fmt: skip
    if probe.returncode != 0:
        said = probe.stderr.decode(errors="replace").strip().splitlines()[-1:]
        return f"user {uid} cannot run {python} (and start it again): {' '.join(said)}"
    return None


@dataclass(frozen=True)
class NormalUser:
    """An installation of the grader that user `uid` runs (`command`, `run`)."""

    uid: int
    venv: Path
    home: Path  # the user's own folder: HOME and TMPDIR of its `grade` (so its scratch too)

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def grade(self) -> Path:
        return self.venv / "bin" / "grade"

    @property
    def prefix(self) -> list[str]:
        return as_user(self.uid)

    @property
    def site_packages(self) -> Path:
        return self.venv / "lib" / SYSTEM_PYTHON.name / "site-packages"

    def environment(self, **extra: str) -> dict[str, str]:
        """Ours, but with the user's own HOME and TMPDIR (and `extra`)."""
        home = str(self.home)
        return {**os.environ, "HOME": home, "TMPDIR": home, "PYTHONIOENCODING": "utf-8", **extra}

    def command(self, *args: str | Path) -> list[str]:
        """`grade *args`, run as the user."""
        return [*self.prefix, str(self.grade), *map(str, args)]

    def run(self, *args: str | Path, env: dict[str, str] | None = None,
            cwd: str | Path = "/") -> subprocess.CompletedProcess:  # fmt: skip
        """`grade *args` as the user (output as bytes), with `env` added to its environment."""
        return subprocess.run(
            self.command(*args), capture_output=True, stdin=subprocess.DEVNULL, cwd=cwd,
            env=self.environment(**(env or {})), timeout=RUN_LIMIT,
        )  # fmt: skip

    def own(self, folder: Path, mode: int = 0o700) -> Path:
        """`folder`, made (with its parents) and given to the user."""
        folder.mkdir(parents=True, exist_ok=True)
        os.chown(folder, self.uid, self.uid)
        folder.chmod(mode)
        return folder

    def give(self, folder: Path) -> Path:
        """`folder` and everything in it given to the user (a submission the user grades)."""
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, self.uid, self.uid, follow_symlinks=False)
        return folder

    def can_read(self, path: Path) -> bool:
        """Whether the user can read `path` (asked of the kernel, as the user)."""
        probe = [*self.prefix, str(SYSTEM_PYTHON), "-c", "import sys; open(sys.argv[1]).read()",
                 str(path)]  # fmt: skip
        return subprocess.run(probe, capture_output=True, cwd="/", timeout=60).returncode == 0


def install(where: Path, uid: int = NOBODY) -> NormalUser:
    """The project, copied to `where` (a folder the user may enter) and installed into a venv
    of the system's Python there; the user's own folder beside it."""
    where.chmod(0o755)
    project = where / "project"
    shutil.copytree(ROOT, project, ignore=shutil.ignore_patterns(*LEFT_OUT))
    venv = where / "venv"
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", venv], check=True,
                   timeout=INSTALL_LIMIT)  # fmt: skip
    user = NormalUser(uid, venv, where / "home")
    # Plain folders, not processed as site dirs: the test environment's editable hook stays out.
    (user.site_packages / "_test_environment.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_REQUIRE")}
    pip = subprocess.run(
        [user.python, "-m", "pip", "install", "--quiet", "--no-deps", project],
        capture_output=True, text=True, env=env, timeout=INSTALL_LIMIT,
    )  # fmt: skip
    if pip.returncode != 0:
        raise RuntimeError(f"installing the project for user {uid} failed:\n{pip.stderr}")
    user.own(user.home)
    return user
