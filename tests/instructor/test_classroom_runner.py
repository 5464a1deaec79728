"""The Classroom workflow, rehearsed the way a GitHub-hosted runner runs it.

GitHub's ubuntu runners run every step as the unprivileged user `runner`, who has passwordless
sudo, in a workspace that user owns. Here the workflow that `grade release --workflow` writes is
read step by step: each `run:` script runs in order, as such a user (`gd-runner`, made by the
test when it runs as root, as CI does), with bash -e as GitHub does; each `uses:` step is played
by the test: the two checkouts lay out the student's repository and the instructor's private
repository as actions/checkout would (files owned by the user), setup-python puts an interpreter
on PATH, upload-artifact reads the report as the user, and the grading reporter decodes
`GRADER_RESULTS` and adds up the points as classroom-resources/autograding-grading-reporter
does. `if:` conditions follow GitHub's rule: a step without one runs only while every earlier
step succeeded; `always()` runs anyway.

Then it checks what Classroom would get: full points for a correct submission, part of them for
a buggy one, and an error worth zero (still reported) when the grader cannot even be installed;
that the grader's checkout is gone before any student code runs; and that no copy of the
answers is left in the workspace or the runner's temporary folder.
"""

from __future__ import annotations

import base64
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from grader.instructor import layout, release

RUNNER = "gd-runner"
SUDOERS = Path("/etc/sudoers.d/gd-runner")
#: The actions the workflow may use, at the major versions it is meant to use.
KNOWN_ACTIONS = {
    "actions/checkout": "v6",
    "actions/setup-python": "v6",
    "actions/upload-artifact": "v7",
    "classroom-resources/autograding-grading-reporter": "v1",
}
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
GRADE = str(Path(sys.executable).with_name("grade"))
REPOSITORY = layout.PACKAGE.parent


def _sh(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=900, **kwargs)


def _ensure_sudo() -> None:
    if shutil.which("sudo"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # The first time is slow (apt's lists); the package stays for the next runs.
    if shutil.which("apt-get"):
        _sh("apt-get", "update", "-q", env=env)
        _sh("apt-get", "install", "-y", "-q", "--no-install-recommends", "sudo", env=env)
    if not shutil.which("sudo"):
        pytest.skip("sudo is not installed and apt-get could not install it")


def _runnable_python() -> str:
    """An interpreter (>= 3.10, with venv and ensurepip) the unprivileged user can run."""
    candidates = [os.path.realpath(sys.executable), "/usr/bin/python3", "/usr/local/bin/python3"]
    check = "import sys, venv, ensurepip; assert sys.version_info >= (3, 10)"
    for python in candidates:
        if (
            Path(python).is_file()
            and _sh("sudo", "-u", RUNNER, python, "-c", check).returncode == 0
        ):
            return python
    pytest.skip(f"no Python >= 3.10 with venv and ensurepip that {RUNNER} may run")


@pytest.fixture(scope="module")
def runner_user():
    """An unprivileged user with passwordless sudo, as GitHub's `runner` is."""
    if sys.platform != "linux":
        pytest.skip("GitHub's ubuntu runners are Linux")
    if os.geteuid() != 0:
        pytest.skip("the rehearsal creates a user with sudo, which needs root (CI runs as root)")
    if not (REPOSITORY / "pyproject.toml").is_file():
        pytest.skip("the rehearsal checks out the instructor's repository: run from a checkout")
    _ensure_sudo()
    try:
        pwd.getpwnam(RUNNER)
    except KeyError:
        made = _sh("useradd", "--create-home", "--shell", "/bin/bash", RUNNER)
        assert made.returncode == 0, made.stderr
    SUDOERS.write_text(f"{RUNNER} ALL=(ALL) NOPASSWD: ALL\n")
    SUDOERS.chmod(0o440)
    works = _sh("sudo", "-u", RUNNER, "sudo", "-n", "true")
    assert works.returncode == 0, works.stderr
    yield pwd.getpwnam(RUNNER)
    SUDOERS.unlink(missing_ok=True)  # the user stays; its root powers go with the test


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    """The student's starter repository, made by the real command, workflow included."""
    folder = tmp_path_factory.mktemp("release") / "handout"
    run = _sh(GRADE, "release", str(folder), "--workflow")
    assert run.returncode == 0, run.stderr
    return folder


@dataclass
class Job:
    """One run of the workflow's job, and what the test saw on the way."""

    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    reported: dict | None = None
    artifact: dict | None = None
    checkout_left_before_grading: bool | None = None


class Runner:
    """Plays one job of the workflow on this machine, as GitHub's hosted runner would."""

    def __init__(self, workflow: dict, user: pwd.struct_passwd, root: Path, *, submission: Path,
                 grader_source, python: str) -> None:  # fmt: skip
        ((self.job_name, self.job),) = workflow["jobs"].items()
        self.user, self.root, self.grader_source = user, root, grader_source
        self.submission, self.python = submission, python
        self.workspace = root / "work" / "assignment"
        self.temp = root / "runner-temp"
        self.tool = root / "hostedtoolcache" / "bin"
        for folder in (self.workspace, self.temp, self.tool):
            folder.mkdir(parents=True)
        for folder in (root, root / "work", self.workspace, self.temp, root / "hostedtoolcache",
                       self.tool):  # fmt: skip
            os.chown(folder, user.pw_uid, user.pw_gid)
            folder.chmod(0o755)
        self.path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        # The job's own env, but the grader's venv where this test may put it.
        self.env = {**self.job.get("env", {}), "GRADER_VENV": str(root / "opt" / "gd-grader")}

    def run(self) -> Job:
        job = Job()
        for number, step in enumerate(self.job["steps"]):
            name = step.get("name") or step.get("uses") or f"step {number}"
            condition = step.get("if", "success()")
            if "always()" not in condition and job.failed:
                job.log.append(f"skipped: {name}")
                continue
            if "run" in step and re.search(r"\bbin/grade\b", step["run"]):
                job.checkout_left_before_grading = (self.workspace / "grader-source").exists()
            ok = self._run(step, job) if "run" in step else self._uses(step, job)
            job.log.append(f"{'ok' if ok else 'FAILED'}: {name}")
            if not ok:
                job.failed.append(name)
        return job

    # -- run: steps ---------------------------------------------------------------------------
    def _run(self, step: dict, job: Job) -> bool:
        script = step["run"]
        assert "${{" not in script, "expressions in a script are evaluated before bash sees them"
        files = {}
        for kind in ("output", "summary"):
            files[kind] = self.temp / f"_{kind}_{len(job.log)}"
            files[kind].touch()
            os.chown(files[kind], self.user.pw_uid, self.user.pw_gid)
        script_file = self.temp / f"_step_{len(job.log)}.sh"
        script_file.write_text(script)
        os.chown(script_file, self.user.pw_uid, self.user.pw_gid)
        env = {
            **{k: str(v) for k, v in self.env.items()},
            "HOME": self.user.pw_dir, "USER": self.user.pw_name, "PATH": self.path,
            "GITHUB_WORKSPACE": str(self.workspace), "RUNNER_TEMP": str(self.temp),
            "GITHUB_OUTPUT": str(files["output"]), "GITHUB_STEP_SUMMARY": str(files["summary"]),
            "CI": "true", "GITHUB_ACTIONS": "true",
        }  # fmt: skip
        command = ["sudo", "-u", self.user.pw_name, "env", "-i"]
        command += [f"{k}={v}" for k, v in env.items()]
        command += ["bash", "--noprofile", "--norc", "-e", str(script_file)]
        done = subprocess.run(command, cwd=self.workspace, capture_output=True, text=True,
                              timeout=600)  # fmt: skip
        job.log.append(done.stdout[-3000:] + done.stderr[-3000:])
        if "id" in step:
            lines = files["output"].read_text().splitlines()
            job.outputs[step["id"]] = dict(line.split("=", 1) for line in lines if "=" in line)
        return done.returncode == 0

    # -- uses: steps ----------------------------------------------------------------------------
    def _uses(self, step: dict, job: Job) -> bool:
        action, _, version = step["uses"].partition("@")
        assert KNOWN_ACTIONS.get(action) == version, f"unexpected action {step['uses']}"
        with_ = {k: self._evaluate(str(v), job) for k, v in step.get("with", {}).items()}
        env = {k: self._evaluate(str(v), job) for k, v in step.get("env", {}).items()}
        if action == "actions/checkout":
            assert with_.get("persist-credentials", "").lower() == "false"
            target = self.workspace / with_["path"]
            if "repository" in with_:
                self.grader_source(target)
            else:
                shutil.copytree(self.submission, target)
            self._give_to_user(target)
            return True
        if action == "actions/setup-python":
            (self.tool / "python").symlink_to(self.python)
            self.path = f"{self.tool}:{self.path}"
            return True
        if action == "actions/upload-artifact":
            path = Path(with_["path"])
            readable = _sh("sudo", "-u", self.user.pw_name, "cat", str(path))
            if readable.returncode == 0:
                job.artifact = json.loads(readable.stdout)
            return readable.returncode == 0 or with_.get("if-no-files-found") == "ignore"
        # classroom-resources/autograding-grading-reporter: src/main.js and notify-classroom.js
        results = []
        for runner in with_["runners"].split(","):
            encoded = env[f"{runner.strip().upper()}_RESULTS"]
            results.append(json.loads(base64.b64decode(encoded)))
        total = maximum = 0.0
        for result in results:
            if result["max_score"]:
                maximum += result["max_score"]
                for test in result["tests"]:
                    total += test["score"]
        statuses = {r["status"] for r in results}
        job.reported = {"points": total, "max_points": maximum, "statuses": statuses}
        return not statuses & {"fail", "error"}

    def _evaluate(self, text: str, job: Job) -> str:
        def value(match: re.Match) -> str:
            expression = match.group(1)
            if expression == "runner.temp":
                return str(self.temp)
            if expression.startswith(("vars.", "secrets.")):
                return f"<{expression}>"
            found = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
            assert found, f"the rehearsal cannot evaluate {expression!r}"
            return job.outputs.get(found.group(1), {}).get(found.group(2), "")

        return EXPRESSION.sub(value, text)

    def _give_to_user(self, folder: Path) -> None:
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, self.user.pw_uid, self.user.pw_gid, follow_symlinks=False)


def _grader_repository(target: Path) -> None:
    """The instructor's repository as actions/checkout leaves it: every file git knows."""
    listed = _sh("git", "-C", str(REPOSITORY), "ls-files", "-z", "--cached", "--others",
                 "--exclude-standard")  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        origin = REPOSITORY / name
        if origin.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target / name)


def _broken_grader_repository(target: Path) -> None:
    """A checkout that cannot be installed (say, the wrong repository in GRADER_REPOSITORY)."""
    target.mkdir(parents=True)
    (target / "README.md").write_text("Not the grader.\n")


def _secrets() -> dict[str, bytes]:
    """The answers: the reference solutions and the hidden suite, by name."""
    files = sorted(layout.solutions().glob("*.py"))
    files += sorted((layout.PACKAGE / "suites" / "hidden").glob("*.py"))
    return {f"{f.parent.name}/{f.name}": f.read_bytes() for f in files if f.stat().st_size}


def _copies_of_the_answers(*folders: Path, skip: Path) -> list[str]:
    answers = _secrets()
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.is_file() and not path.is_relative_to(skip):
                content = path.read_bytes()
                found += [f"{path}: {n}" for n, text in answers.items() if text in content]
    return found


def _play(handout, user, tmp_path, submission_files: dict[str, str], grader_source) -> tuple:
    student = tmp_path / "student-repository"
    shutil.copytree(handout, student)
    for name, text in submission_files.items():
        (student / "exercises" / name).write_text(text)
    workflow = yaml.safe_load((handout / release.WORKFLOW).read_text())
    runner = Runner(workflow, user, tmp_path / "runner-machine", submission=student,
                    grader_source=grader_source, python=_runnable_python())  # fmt: skip
    return runner, runner.run()


def _reference(name: str) -> str:
    return (layout.solutions() / name).read_text()


@pytest.fixture
def machine_tmp(world_readable_tmp):
    """A temporary folder the unprivileged user can enter (pytest's are private to root)."""
    return world_readable_tmp


def _correct() -> dict[str, str]:
    return {n: _reference(n) for n in ("batch_gradient.py", "sgd.py", "logistic_regression.py")}


def test_a_correct_submission_gets_every_point(handout, runner_user, machine_tmp):
    runner, job = _play(handout, runner_user, machine_tmp, _correct(), _grader_repository)
    assert job.failed == [], "\n".join(job.log)
    assert job.checkout_left_before_grading is False
    assert job.reported == {"points": 25.0, "max_points": 25.0, "statuses": {"pass"}}
    assert job.artifact is not None and job.artifact["score"] == 25.0
    assert _copies_of_the_answers(runner.workspace, runner.temp,
                                  skip=runner.workspace / "submission") == []  # fmt: skip


def test_a_buggy_submission_gets_part_of_the_points(handout, runner_user, machine_tmp):
    files = _correct()
    wrong = files["batch_gradient.py"].replace("db = 2.0 / n", "db = 1.0 / n")
    assert wrong != files["batch_gradient.py"], "the reference changed: pick another mistake"
    files["batch_gradient.py"] = wrong
    runner, job = _play(handout, runner_user, machine_tmp, files, _grader_repository)
    # The reporter's step fails below full marks, as Classroom's own graders make it fail.
    assert job.failed == ["Autograding Reporter"], "\n".join(job.log)
    assert job.checkout_left_before_grading is False
    assert job.reported["statuses"] == {"fail"}
    assert 0 < job.reported["points"] < 25.0 == job.reported["max_points"]
    assert _copies_of_the_answers(runner.workspace, runner.temp,
                                  skip=runner.workspace / "submission") == []  # fmt: skip


def test_when_the_grader_cannot_be_installed_classroom_still_gets_an_error_worth_zero(
    handout, runner_user, machine_tmp
):
    runner, job = _play(handout, runner_user, machine_tmp, _correct(), _broken_grader_repository)
    assert job.failed[0] == "Install the grader as root, then delete its checkout"
    assert job.reported == {"points": 0.0, "max_points": 25.0, "statuses": {"error"}}
    assert not (runner.workspace / "grader-source").exists()
