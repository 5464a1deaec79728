"""The hostile cases: load them, build their submissions, grade them with the real CLI, inspect.

Shared by `tests/e2e/test_hostile.py` (which asserts the promises of issue 4), its siblings
`test_portable.py` and `test_normal_user.py` (some cases in the portable sandbox, some graded
by a normal user), and `bench/bench_hostile.py` (which times every case); tests/e2e/conftest.py
and the benchmark load this file by its path.

A case is a folder of this one: `case.toml` says what the attack is and what must hold, and the
other files are what the attack adds to a submission made from the reference solutions:

- a file named like an exercise module (`sgd.py`) replaces it, and the reference module is copied
  in beside it as `_honest_sgd.py`, so that the hostile module can keep the functions it does not
  attack (`from _honest_sgd import *`) without a copy of reference code in this repository;
- any other file or folder is added as it is (`conftest.py`, `numpy.py`, a `.pth`...);
- `_hostile.py` of this folder is added to every submission: where evidence goes.

The placeholders `@CANARY@`, `@MARKER@`, `@OUTPUT@`, `@RESULTS@` and `@ORIGINAL@` are filled in
in every file. `case.toml` keys:

    class = "ending"        # pytest, ending, lying, patching, stealing, forging, exhausting
    about = "..."           # the attack, in a sentence
    module = "sgd"          # the exercise the attack is in ("" when it attacks none)
    zero = ["sgd_step"]     # functions of `module` that must earn nothing; every other function
                            # of every exercise keeps full marks
    status = "timeout"      # optional: the status every test of a `zero` function must have
    timeout = 1             # grade --timeout (seconds per call)
    alone = false           # true: graded while no other case runs (it kills or forks widely)
    runs = true             # the hostile code must prove that it ran (false: it must not run)
    cwd = "outside"         # where `grade` runs: "outside" (a world-writable folder holding the
                            # report) or "submission" (`grade .` from inside the submission)
    format = "native"       # or "gradescope": the report is then results/results.json
    world_writable = false  # the submission folder and its files are writable by anybody
    command = "grade"       # or "python -I -m grader" (never plain `python -m grader` inside
                            # an untrusted folder: `-m` would run a `grader/` found there)
    needs_root = false      # true: only as root can the grader defend it (privilege separation)
    plant = false           # true: world-readable copies of the reference are left under
                            # @ROOT@/planted/ (a clone, a venv, a build, a home folder)
"""

from __future__ import annotations

import hashlib
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, installed with the project
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SOLUTIONS = ROOT / "solutions"
MODULES = ("batch_gradient", "sgd", "logistic_regression")
CLASSES = ("pytest", "ending", "lying", "patching", "stealing", "forging", "exhausting")
#: The end of a thief's sgd.py: with `texts` (what it read), answer with the reference's code
#: if one of them holds it, else with functions that return nothing.
ANSWER_IF_FOUND = """
code = next((text for text in texts if "def sgd_step" in text), None)
if code:
    exec(code)
else:
    def sgd_step(x, y, w, b, eta):
        return None

    def sgd(X, y, eta=0.01, w=None, b=None, max_iter=100, tol=1e-8, rng=None):
        return None
"""
SECRET_VARIABLE = "GD_HOSTILE_SECRET"
RUN_LIMIT = 300  # seconds: a `grade` that hangs is killed and the case fails, CI does not block
#: What grading a case may take beyond its timeouts: starting Python, pytest, and the workers
#: restarted after each crash. The bound of a case is its timeout per affected function plus this.
BASE_SECONDS = 3.0
EPS = 1e-6  # how far a score may be from the points it must earn
KEYS = {"class", "about", "module", "zero", "status", "timeout", "alone", "runs", "cwd", "format",
        "world_writable", "command", "needs_root", "plant"}  # fmt: skip
#: Where `plant = true` leaves world-readable copies of the reference, under the case's root.
PLANTED = ("ta-copy/solutions", "home/instructor/course/solutions", "build/lib/solutions",
           "venv/lib/python3.12/site-packages/solutions")  # fmt: skip


@dataclass(frozen=True)
class Case:
    id: str
    klass: str
    about: str
    module: str
    zero: tuple[str, ...]
    status: str | None
    timeout: float
    alone: bool
    runs: bool
    cwd: str
    format: str
    world_writable: bool
    command: str
    needs_root: bool
    folder: Path
    plant: bool = False

    @property
    def budget(self) -> float:
        """Seconds grading should take: the timeout per affected function, plus a few."""
        return self.timeout * max(1, len(self.zero)) + BASE_SECONDS


def load_cases() -> list[Case]:
    cases = []
    for folder in sorted(p for p in HERE.iterdir() if (p / "case.toml").is_file()):
        data = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
        unknown = set(data) - KEYS
        if unknown:
            raise ValueError(f"{folder.name}/case.toml: unknown keys {sorted(unknown)}")
        case = Case(
            id=folder.name,
            klass=data["class"],
            about=data["about"],
            module=data.get("module", ""),
            zero=tuple(data.get("zero", ())),
            status=data.get("status"),
            timeout=float(data.get("timeout", 1)),
            alone=bool(data.get("alone", False)),
            runs=bool(data.get("runs", True)),
            cwd=data.get("cwd", "outside"),
            format=data.get("format", "native"),
            world_writable=bool(data.get("world_writable", False)),
            command=data.get("command", "grade"),
            needs_root=bool(data.get("needs_root", False)),
            folder=folder,
            plant=bool(data.get("plant", False)),
        )
        if case.klass not in CLASSES or case.cwd not in ("outside", "submission"):
            raise ValueError(f"{folder.name}/case.toml: bad class or cwd")
        if case.zero and case.module not in MODULES:
            raise ValueError(f"{folder.name}/case.toml: `zero` needs the attacked `module`")
        cases.append(case)
    return cases


# --- building a case's folders -----------------------------------------------------------------


@dataclass
class Prepared:
    """The folders of one case: everything lives in a fresh folder under /tmp."""

    case: Case
    root: Path
    submission: Path
    canary: Path  # world-writable: the hostile code leaves its evidence here
    outside: Path  # world-writable: grade's working folder (unless cwd = "submission")
    results: Path  # world-writable: stands in for /autograder/results
    marker: str

    @property
    def output(self) -> Path:
        if self.case.format == "gradescope":
            return self.results / "results.json"
        return self.outside / "report.json"


def prepare(case: Case, owner: int | None = None) -> Prepared:
    """The case's folders, its submission built: ours alone (0700), or the user `owner`'s, who
    then runs `grade` on it."""
    root = Path(tempfile.mkdtemp(prefix=f"gd-hostile-{case.id}-"))
    root.chmod(0o755)  # the worker's user may pass through to the world-writable folders
    marker = f"gdhostile{secrets.token_hex(6)}"
    prepared = Prepared(
        case, root, root / "submission", root / "canary", root / "outside", root / "results", marker
    )
    for folder, mode in ((prepared.canary, 0o1777), (prepared.outside, 0o777),
                         (prepared.results, 0o777), (prepared.submission, 0o700)):  # fmt: skip
        folder.mkdir()
        folder.chmod(mode)
    fill = {
        "@CANARY@": str(prepared.canary),
        "@MARKER@": marker,
        "@OUTPUT@": str(prepared.output),
        "@RESULTS@": str(prepared.results / "results.json"),
        "@ORIGINAL@": str(prepared.submission),
        "@ROOT@": str(root),
    }
    if case.plant:
        for place in PLANTED:
            copy = root / "planted" / place
            copy.mkdir(parents=True)
            for module in MODULES:
                shutil.copy(SOLUTIONS / f"{module}.py", copy / f"{module}.py")
        for path in [root / "planted", *(root / "planted").rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
    sources = {f"{m}.py": (SOLUTIONS / f"{m}.py").read_bytes() for m in MODULES}
    sources["_hostile.py"] = (HERE / "_hostile.py").read_bytes()
    for path in sorted(case.folder.rglob("*")):
        rel = path.relative_to(case.folder).as_posix()
        if path.is_dir() or rel == "case.toml" or "__pycache__" in rel:
            continue
        if rel in sources and rel[:-3] in MODULES:
            sources[f"_honest_{rel}"] = sources[rel]
        sources[rel] = path.read_bytes()
    for rel, data in sources.items():
        for key, value in fill.items():
            data = data.replace(key.encode(), value.encode())
        target = prepared.submission / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    for path in [prepared.submission, *prepared.submission.rglob("*")]:
        if case.world_writable:
            path.chmod(0o777 if path.is_dir() else 0o666)
        if owner is not None:
            os.chown(path, owner, owner)
    return prepared


def remove(prepared: Prepared) -> None:
    shutil.rmtree(prepared.root, ignore_errors=True)


# --- grading -------------------------------------------------------------------------------------


@dataclass
class Run:
    """One `grade` of a case, and what was left behind right after it."""

    returncode: int | None  # None: killed after RUN_LIMIT
    seconds: float
    stdout: str
    stderr: str
    report_bytes: bytes | None
    secret: str
    started: float  # time.time() when grade started
    extra: dict = field(default_factory=dict)


def grade_command(case: Case, python: str = sys.executable) -> list[str]:
    """How the case runs the grader: the `grade` installed beside `python`, or `python -I -m`."""
    if case.command == "python -I -m grader":
        return [python, "-I", "-m", "grader"]
    beside = Path(python).with_name("grade")
    return [str(beside) if beside.exists() else shutil.which("grade") or "grade"]


def grade(
    prepared: Prepared,
    *,
    python: str = sys.executable,
    prefix: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Run:
    """Run the real `grade` on the case's submission, as a student or CI would: the grader
    installed with `python`, run through `prefix` (e.g. as another user), `env` added to ours."""
    case = prepared.case
    secret = secrets.token_hex(16)
    cwd = prepared.submission if case.cwd == "submission" else prepared.outside
    target = "." if case.cwd == "submission" else str(prepared.submission)
    command = [*prefix, *grade_command(case, python), target, "--suite", "hidden",
               "-o", str(prepared.output), "--timeout", f"{case.timeout:g}"]  # fmt: skip
    if case.format != "native":
        command += ["--format", case.format]
    # The canary folder is the worker's write-only drop box: Landlock lets it leave evidence
    # there and nowhere else outside its own folder.
    env = {**os.environ, **(env or {}), SECRET_VARIABLE: secret,
           "GRADE_SANDBOX_DROPBOX": str(prepared.canary)}  # fmt: skip
    stdout, stderr = prepared.root / "stdout.txt", prepared.root / "stderr.txt"
    started = time.time()
    clock = time.monotonic()
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        # stdin stays an open pipe nobody writes to: reading it would block, were it inherited.
        proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE, stdout=out, stderr=err,
                                env=env)  # fmt: skip
        try:
            returncode = proc.wait(timeout=RUN_LIMIT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            returncode = None
        finally:
            proc.stdin.close()
    seconds = time.monotonic() - clock
    return Run(
        returncode=returncode,
        seconds=seconds,
        stdout=stdout.read_text(errors="replace"),
        stderr=stderr.read_text(errors="replace"),
        report_bytes=read_report(prepared.output),
        secret=secret,
        started=started,
    )


def read_report(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


# --- inspecting the report and what is left ----------------------------------------------------


def expected_scores(case: Case) -> dict[tuple[str, str], float]:
    """(exercise, function) -> the points it must earn: none where the attack is, else all."""
    from grader.course import load_course

    return {
        (exercise.module, function.name): 0.0
        if exercise.module == case.module and function.name in case.zero
        else function.points
        for exercise in load_course().exercises
        for function in exercise.functions
    }


def dishonest_scores(case: Case, report: dict) -> dict[str, tuple[float | None, float]]:
    """The functions of a native report whose points are not what honest grading gives them
    (none where the attack is, all elsewhere): "exercise.function" -> (got, expected)."""
    got: dict[tuple[str, str], float] = {}
    for exercise in report["exercises"]:
        for test in exercise["tests"]:
            key = (exercise["name"], test["function"])
            got[key] = got.get(key, 0.0) + test["score"]
    return {
        f"{e}.{f}": (got.get((e, f)), want)
        for (e, f), want in expected_scores(case).items()
        if abs(got.get((e, f), -1.0) - want) > EPS
    }


def canary_files(prepared: Prepared) -> dict[str, str]:
    return {
        p.name: p.read_text(errors="replace")
        for p in sorted(prepared.canary.iterdir())
        if p.is_file()
    }


def leaks(evidence: dict[str, str]) -> dict[str, str]:
    """The attacks that worked, among the canary files `evidence` (their text cut short)."""
    return {name: text[:500] for name, text in evidence.items() if name.startswith("LEAK")}


def reported(prepared: Prepared, name: str) -> set[str]:
    """The distinct lines the hostile code wrote to canary file `name` (tokens, workdirs)."""
    path = prepared.canary / name
    return set(path.read_text().split()) if path.is_file() else set()


def reported_uids(prepared: Prepared) -> set[int]:
    uids = set()
    for path in prepared.canary.glob("ran-*"):
        for word in path.read_text().split():
            if word.startswith("uid="):
                uids.add(int(word[4:]))
    return uids


WORKER_DEFAULT_UID = pwd.getpwnam("nobody").pw_uid


def survivors(prepared: Prepared, *, check_uids: bool) -> list[str]:
    """Processes the case started that are still alive: marked in their argv or environment
    with the case's marker, carrying one of the sandbox tokens the case saw, or (`check_uids`)
    running as one of the worker uids the case saw."""
    markers = [prepared.marker.encode()]
    tokens = [f"GD_SANDBOX={t}".encode() for t in reported(prepared, "tokens")]
    uids = reported_uids(prepared) if check_uids else set()
    uids.discard(0)
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
            if state == b"Z":
                continue
            uid = os.stat(f"/proc/{name}").st_uid
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{name}/environ", "rb") as f:
                environ = f.read().split(b"\0")
        except OSError:
            continue
        marked = any(m in cmdline or any(m in e for e in environ) for m in markers)
        if marked or any(t in environ for t in tokens) or uid in uids:
            argv = cmdline.replace(b"\0", b" ")[:200].decode(errors="replace")
            found.append(f"pid {name} uid {uid}: {argv}")
    return found


def tree_digest(root: Path, skip: tuple[str, ...] = ("__pycache__",)) -> dict[str, tuple]:
    """Every entry under `root`: kind, permission bits and, for files, a SHA-256."""
    digest = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in skip for part in rel.parts):
            continue
        st = path.lstat()
        if stat.S_ISREG(st.st_mode):
            content = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISLNK(st.st_mode):
            content = "-> " + os.readlink(path)
        else:
            content = ""
        digest[rel.as_posix()] = (
            stat.S_IFMT(st.st_mode),
            stat.S_IMODE(st.st_mode),
            st.st_uid,
            content,
        )
    return digest
