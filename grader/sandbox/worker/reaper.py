"""The reaper: the process a worker leaves behind when it starts (Linux).

Before any student code runs, the worker forks: the parent stays as the *reaper*, a child
subreaper that inherits every process the submission detaches, reaps them, and tells the grader
how the worker ended. It never runs student code; when the grader is gone (its lifeline pipe
reaches end of file) it kills the whole tree.
"""

from __future__ import annotations

import json
import os


def set_child_subreaper() -> None:
    """Adopt the orphans of the tree, and be unreadable and untraceable for the submission."""
    import ctypes

    PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 4, 36
    libc = ctypes.CDLL(None)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # the worker (a fork) sets its own back below


def reaper(worker: int, status_fd: int, lifeline_fd: int, proctree) -> None:
    """Reap every process of the tree; report the worker's end; never return.

    Exits once the worker and everything it left behind are gone. If the grader disappears
    (the lifeline pipe reaches end of file), kill the whole tree first.
    """
    import select
    import signal

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    worker_done = False
    while True:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                if worker_done:
                    os._exit(0)
                break
            if pid == 0:
                break
            if pid == worker:
                worker_done = True
                if os.WIFSIGNALED(status):
                    end = {"signal": os.WTERMSIG(status)}
                else:
                    end = {"exit": os.waitstatus_to_exitcode(status)}
                try:
                    os.write(status_fd, json.dumps(end).encode() + b"\n")
                except OSError:
                    pass
        try:
            ready, _, _ = select.select([wake_r, lifeline_fd], [], [])
        except InterruptedError:
            continue
        if lifeline_fd in ready:
            proctree.kill_descendants(os.getpid())
            while True:  # reap them all, so that no zombie is handed on to whoever adopts us
                try:
                    os.wait()
                except ChildProcessError:
                    os._exit(0)
                except InterruptedError:
                    pass
        os.read(wake_r, 4096)
