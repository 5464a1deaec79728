"""Workers forked by one fork server (a Sandbox told its modules), or by a zygote that serves
submission after submission: as separate as workers started alone."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from grader.sandbox import limits, proctree
from grader.sandbox.client import Sandbox
from grader.sandbox.errors import CallTimeout
from grader.sandbox.process import Zygote

pytestmark = pytest.mark.skipif(not limits.LINUX, reason="the fork server is Linux only")

PROBE = """
import os, math

def me():
    fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
    # The standard library's folders, opened read-only before the uid drop (worker/stdlib.py),
    # are not pipes of anybody's: leave them out.
    folders = [f for f in fds if os.path.isdir(f"/proc/self/fd/{f}")]
    return [os.getpid(), os.getppid(), os.getsid(0), [f for f in fds if f not in folders]]

def patch():
    math.sqrt = lambda x: 42.0
    return 0

def root(x):
    return math.sqrt(x)

def hang():
    while True:
        pass
"""


def test_each_module_gets_its_own_worker_reaper_session_and_pipes(write, leftovers):
    modules = ("a", "b", "c")
    box = Sandbox(
        write(**dict.fromkeys(modules, PROBE)), timeout=1.0, modules=modules, fork_server=True
    )
    try:
        seen = [box.call(m, "me").value for m in modules]
        table = proctree.processes()
        pids, reapers, sessions = ({s[i] for s in seen} for i in range(3))
        assert len(pids) == len(reapers) == len(sessions) == 3
        for _pid, reaper, session, fds in seen:
            assert table[reaper][0] == os.getpid()  # the reaper is ours (re-parented to us)
            assert session == reaper  # a session of its own, as when started alone
            # What a worker's fds were while it ran `me`: stdio, request, response, listdir's.
            assert len(fds) == 6, fds
        assert box.call("a", "patch").value == 0
        assert box.call("a", "root", 4.0).value == 42.0
        assert box.call("b", "root", 4.0).value == 2.0  # a's patch stays in a's process
        with pytest.raises(CallTimeout):
            box.call("b", "hang")
        assert box.call("c", "root", 9.0).value == 3.0  # killing b's tree spared c's
        assert box.call("b", "root", 16.0).value == 4.0  # b on a fresh worker
    finally:
        box.close()
    assert leftovers(box) == []


def test_closing_before_the_workers_are_ready_leaves_nothing(write, leftovers):
    modules = ("a", "b", "c")
    box = Sandbox(write(**dict.fromkeys(modules, PROBE)), modules=modules, fork_server=True)
    box.close()
    assert leftovers(box) == []


# --- the zygote: a fork server that stays, in the topology of `grade batch` --------------------

#: What both miniature grading processes share: a grader forked per submission, as in
#: grader/instructor/grading_process.py, whose JSON result comes back through a pipe.
IN_A_FORK = r"""
import json, os

def in_a_fork(job):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            text = json.dumps(job())
        except BaseException as e:
            text = json.dumps({"error": repr(e)})
        os.write(w, text.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        text = f.read()
    os.waitpid(pid, 0)
    return json.loads(text)
"""

#: A grading process in miniature: it owns a zygote, grades two submissions in forks of itself
#: (as grader/instructor/grading_process.py does), reaps after each, and reports as JSON.
OWNER = (
    IN_A_FORK
    + r"""
import sys
from grader.sandbox import proctree
from grader.sandbox.client import Sandbox
from grader.sandbox.errors import CallTimeout
from grader.sandbox.process import Zygote

folder, modules = sys.argv[1], ("a", "b", "c")
zygote = Zygote()

def alive_with(token):
    found = []
    for pid, (_, state, _) in proctree.processes().items():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if state != "Z" and f"GD_SANDBOX={token}".encode() in f.read().split(b"\0"):
                    found.append(pid)
        except OSError:
            pass
    return sorted(found)

def grade():
    box = Sandbox(folder, timeout=1.0, modules=modules, fork_server=zygote)
    out = {"grader": os.getpid()}
    try:
        out["seen"] = [box.call(m, "me").value for m in modules]
        table = proctree.processes()
        out["reaper_parents"] = [table[s[1]][0] for s in out["seen"]]
        out["info"] = box.worker_info
        out["signal_grader"] = box.call("a", "signal", os.getpid()).value
        out["patched"] = [box.call("a", "patch").value, box.call("a", "root", 4.0).value,
                          box.call("b", "root", 4.0).value]
        try:
            box.call("b", "hang")
        except CallTimeout:
            out["hang"] = "timeout"
        out["after"] = [box.call("c", "root", 9.0).value, box.call("b", "root", 16.0).value]
    finally:
        box.close()
    out["left"] = [p for p in alive_with(zygote.token) if p != zygote.proc.pid]
    return out

results = []
for _ in range(2):
    result = in_a_fork(grade)
    result["peak_kib"] = zygote.reap()
    table = proctree.processes()
    result["zombies"] = [p for p, (pp, st, _) in table.items() if pp == os.getpid() and st == "Z"]
    result["zygote_alive"] = zygote.alive and zygote.proc.pid in table
    results.append(result)
zygote.close()
print(json.dumps({"owner": os.getpid(), "results": results,
                  "zygote_gone": zygote.proc.pid not in proctree.processes(),
                  "left": alive_with(zygote.token)}))
"""
)

ZYGOTE_PROBE = (
    PROBE
    + """
def signal(pid):
    try:
        os.kill(pid, 0)
    except OSError as e:
        return type(e).__name__
    return "delivered"
"""
)


@pytest.mark.skipif(not Zygote.available(), reason="the zygote needs pidfds")
def test_a_zygote_serves_submission_after_submission_as_a_fork_server_would(write):
    folder = write(**dict.fromkeys(("a", "b", "c"), ZYGOTE_PROBE))
    run = subprocess.run(
        [sys.executable, "-c", OWNER, str(folder)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    owner = report["owner"]
    for result in report["results"]:  # two submissions in a row, from the same zygote
        assert "error" not in result, result
        pids, reapers, sessions = ({s[i] for s in result["seen"]} for i in range(3))
        assert len(pids) == len(reapers) == len(sessions) == 3
        assert result["reaper_parents"] == [owner] * 3  # re-parented to the zygote's owner
        for _pid, reaper, session, fds in result["seen"]:
            assert session == reaper  # a session of its own, as when started alone
            assert len(fds) == 6, fds  # stdio, request, response, listdir's: nothing else
        assert result["info"]["seccomp"] is True
        if limits.AS_ROOT:
            assert result["info"]["dropped"] is True and result["info"]["uid"] != 0
        # The grader is not the workers' ancestor, and still out of their reach.
        assert result["signal_grader"] == "PermissionError"
        assert result["patched"] == [0, 42.0, 2.0]  # a's patch stays in a's process
        assert result["hang"] == "timeout"
        assert result["after"] == [3.0, 4.0]  # killing b's tree spared c's; b on a fresh worker
        assert result["left"] == []  # nothing of the sandbox alive once it is closed
        assert result["zombies"] == []  # the owner reaped the reapers
        assert result["peak_kib"] > 10_000  # ... and read their peak memory, workers included
        assert result["zygote_alive"]
    assert report["zygote_gone"] and report["left"] == []


#: The zygote's bad days, in a grading process in miniature: a worker that keeps the grader's
#: own uid (only its seccomp filter protects the others) aims signals at every process above
#: it; then the zygote is stopped (replaced between submissions), then killed behind the
#: owner's back (the next submission falls back to a fork server of its own).
OWNER_BAD_DAYS = (
    IN_A_FORK
    + r"""
import signal, sys, time
from grader.sandbox.client import Sandbox
from grader.sandbox.process import Zygote

folder, modules = sys.argv[1], ("a", "b", "c")
zygote = Zygote()

def graded(job):
    result = in_a_fork(job)
    zygote.reap()
    return result

def probes():
    with Sandbox(folder, timeout=2.0, modules=modules, fork_server=zygote, user=None) as box:
        targets = {"grader": os.getpid(), "zygote": zygote.proc.pid, "owner": zygote.owner}
        return {name: box.call("a", "aim", pid).value for name, pid in targets.items()} | {
            "seccomp": box.worker_info["seccomp"]}

def grade():
    with Sandbox(folder, timeout=2.0, modules=modules, fork_server=zygote) as box:
        return [box.call(m, "root", 4.0).value for m in modules]

out = {"probes": graded(probes)}
os.kill(zygote.proc.pid, signal.SIGSTOP)
time.sleep(0.2)
out["stopped_seen"] = not zygote.healthy()
out["stopped_gone"] = zygote.proc.poll() is not None
zygote = Zygote()
out["after_stop"] = graded(grade)
os.kill(zygote.proc.pid, signal.SIGKILL)  # behind the owner's back: it still thinks it alive
time.sleep(0.2)
out["after_kill"] = graded(grade)
zygote.reap()
out["noticed"] = not zygote.healthy()
print(json.dumps(out))
"""
)

AIMER = (
    PROBE
    + """
def aim(pid):
    import errno, fcntl, struct
    found = {}
    try:
        os.kill(pid, 0)
        found["kill"] = "allowed"
    except OSError as e:
        found["kill"] = errno.errorcode[e.errno]
    r, w = os.pipe()
    try:
        fcntl.fcntl(r, fcntl.F_SETOWN, pid)
        found["F_SETOWN"] = "allowed"
    except OSError as e:
        found["F_SETOWN"] = errno.errorcode[e.errno]
    return found
"""
)


@pytest.mark.skipif(not Zygote.available(), reason="the zygote needs pidfds")
def test_a_stopped_or_killed_zygote_costs_no_submission_and_none_can_be_signalled(write):
    folder = write(**dict.fromkeys(("a", "b", "c"), AIMER))
    run = subprocess.run(
        [sys.executable, "-c", OWNER_BAD_DAYS, str(folder)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    probes = report["probes"]
    if not probes.pop("seccomp"):
        pytest.skip("no seccomp filter on this machine")
    for name, found in probes.items():  # even as root: the filter names them all
        assert found == {"kill": "EPERM", "F_SETOWN": "EPERM"}, name
    assert report["stopped_seen"] and report["stopped_gone"]
    assert report["after_stop"] == [2.0, 2.0, 2.0]  # served by the new zygote
    assert report["after_kill"] == [2.0, 2.0, 2.0]  # by a fork server of its own, this once
    assert report["noticed"]
