"""Copied into every hostile submission as `_hostile.py`: where the attack leaves its evidence.

The test fills in the @...@ placeholders. `ran(...)` proves that hostile code ran (and records
the sandbox token, so that the test can look for the worker's processes afterwards); `leak(...)`
records an attack that succeeded, and the test fails on any. `sleeper()` starts a process that
must not outlive the grading: its argv and environment carry the case's marker.
"""

import os
import sys

CANARY = "@CANARY@"  # a world-writable folder the test reads afterwards
MARKER = "@MARKER@"  # unique to the case: in the argv and environment of what it starts
OUTPUT = "@OUTPUT@"  # where `grade -o` writes the report
RESULTS = "@RESULTS@"  # stands in for Gradescope's /autograder/results/results.json
ORIGINAL = "@ORIGINAL@"  # the submission folder being graded (the worker runs in a copy)
SECRET = "GD_HOSTILE_SECRET"  # set in the environment of `grade`; must never reach us

ONCE: dict = {}  # for attacks that should happen once per worker, not on every call
FAKE_REPORT = (
    '{"schema_version": 1, "score": 25.0, "max_score": 25.0, "forged": "' + MARKER + '", '
    '"tests": [], "exercises": []}\n'
)


def note(name, text=""):
    """Append `text` to the file `name` of the canary folder (never fails)."""
    try:
        with open(os.path.join(CANARY, name), "a") as f:
            f.write(f"{text}\n")
    except OSError:
        pass


def leak(what, detail=""):
    """Record an attack that worked: the test fails on any LEAK file."""
    note(f"LEAK-{what}", detail)


def ran(where):
    """Prove that this code ran; record the sandbox token and where the worker runs."""
    note(f"ran-{where}", f"pid={os.getpid()} uid={os.getuid()} cwd={os.getcwd()}")
    token = os.environ.get("GD_SANDBOX")
    if token:
        note("tokens", token)
    note("workdirs", os.getcwd())
    if SECRET in os.environ:
        leak("secret-in-environ", os.environ[SECRET])


def sleeper(*, clear_env=False, detach=True):
    """Start `sleep 1000` (argv[0] and environment marked), detached with setsid if asked.

    With `clear_env` it runs without the sandbox token in its environment, as an escaping
    process would. Returns the pid of the process started (or None).
    """
    env = {"HOSTILE_MARKER": MARKER}
    if not clear_env:
        env = {**os.environ, **env}
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:
        try:
            if detach:
                os.setsid()
                if os.fork():
                    os._exit(0)
            os.execve("/bin/sleep", [f"sleep-{MARKER}", "1000"], env)
        finally:
            os._exit(0)
    if detach:
        os.waitpid(pid, 0)
    return pid


def forge(*paths):
    """Write a fake report (full marks) wherever it can; return the paths written."""
    written = []
    for path in paths:
        try:
            with open(path, "w") as f:
                f.write(FAKE_REPORT)
            written.append(path)
        except OSError:
            pass
    return written


def grading_processes():
    """Pids and argv of the processes that look like the grader (`grade` or pytest)."""
    found = {}
    for name in listing("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        text = b" ".join(argv)
        if b"grade" in text or b"pytest" in text or b"child.py" in text:
            found[int(name)] = [a.decode(errors="replace") for a in argv if a]
    return found


def listing(folder):
    """The names in `folder`, or none when the sandbox keeps it out of reach (Landlock)."""
    try:
        return os.listdir(folder)
    except OSError as e:
        note("not-listed", f"{folder}: {e!r}")
        return []


def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
