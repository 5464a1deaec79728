"""Workers forked by one fork server (a Sandbox told its modules): as separate as started alone."""

from __future__ import annotations

import os

import pytest

from grader.sandbox import limits, proctree
from grader.sandbox.client import Sandbox
from grader.sandbox.errors import CallTimeout

pytestmark = pytest.mark.skipif(not limits.LINUX, reason="the fork server is Linux only")

PROBE = """
import os, math

def me():
    fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
    return [os.getpid(), os.getppid(), os.getsid(0), fds]

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
