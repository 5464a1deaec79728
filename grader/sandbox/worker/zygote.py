"""The fork server of a group of workers, and the zygote: a fork server that stays.

Both have imported the standard library and NumPy like any worker and never run student code.
The fork server (`fork_member`) forks one process per worker of a group, tells the grader their
pids and exits; the zygote (`serve_requests`, one per grading process of `grade batch`) serves
each request for a group by a fork of itself, which then does what a fork server would.
"""

from __future__ import annotations

import json
import os
import sys


def serve_requests(sock_fd: int) -> dict:
    """The zygote of a grading process (`process.Zygote`): a fork server that stays.

    It has imported the standard library and NumPy like any worker and never runs student code.
    Each request (one message on the socket: JSON, and the pipes of a group of workers as
    passed descriptors) is served by a fork of this process, which takes the request's
    environment and folder and then does what a fork server started for the group would do
    (`fork_member`). The zygote closes its copies of the pipes, reaps that fork (it exits as
    soon as it has forked the workers) and waits for the next request. It exits when the
    grading process is gone (end of file on the socket). Returns only in the fork.
    """
    import gc
    import socket

    sock = socket.socket(fileno=sock_fd)
    if sys.platform == "linux":  # unreadable and untraceable for workers of our own user
        import ctypes

        PR_SET_DUMPABLE = 4
        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # the workers set theirs back
    gc.freeze()  # the forks' collectors never walk what was imported here: fewer pages copied
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 256)
        except OSError:
            os._exit(0)
        if not message:
            os._exit(0)  # the grading process is gone
        try:
            request = json.loads(message)
            pid = os.fork()
        except Exception:  # noqa: BLE001 - a bad request: its pipes close, the grader sees why
            pid = -1
        if pid == 0:
            sock.close()
            config = request["config"]
            # Descriptors arrive renumbered: the request names them by their place in the list.
            config["members"] = [
                {name: None if at is None else fds[at] for name, at in member.items()}
                for member in config["members"]
            ]
            config["pids"] = fds[config["pids"]]
            os.environ.clear()
            os.environ.update(request["env"])
            os.chdir(request["cwd"])
            return config
        for fd in fds:
            os.close(fd)
        if pid > 0:
            os.waitpid(pid, 0)


def fork_member(members: list[dict], pids_fd: int) -> tuple[dict, int]:
    """The fork server: fork one process per member, each to become a worker as if started
    alone; tell the grader their pids; exit. Returns (in the member) the member's own pipes
    and its place in the group.

    Started with the pipes of several workers (`process.WorkerProcess.start_group`), this
    process has only imported the standard library and NumPy, and never runs student code. Each
    member starts a session of its own, keeps only its own pipes (its output on 1 and 2), and
    then goes on exactly like a worker started alone: reaper, limits, privilege drop. Once this
    process exits, the members are re-parented to the grader (a child subreaper).
    """
    pids = []
    for index, fds in enumerate(members):
        try:
            pid = os.fork()
        except OSError:
            break  # the members not forked see their status pipe close: the grader starts anew
        if pid == 0:
            try:
                os.setsid()
                mine = {name: fd for name, fd in fds.items() if name != "output"}
                os.dup2(fds["output"], 1)
                os.dup2(fds["output"], 2)
                keep = {0, 1, 2, *(fd for fd in mine.values() if fd is not None)}
                for name in os.listdir("/proc/self/fd"):  # the others' pipes, the pid pipe
                    if int(name) not in keep:
                        try:
                            os.close(int(name))
                        except OSError:
                            pass
                return mine, index
            except BaseException:  # noqa: BLE001 - never return into the server's loop
                os._exit(70)
        pids.append(pid)
    try:
        os.write(pids_fd, json.dumps(pids).encode() + b"\n")
    finally:
        os._exit(0)


def renumber(fds: dict) -> dict:
    """Our pipes moved to the lowest descriptors (3, 4, ...) and made non-inheritable, whatever
    numbers they had in the grader: the same layout every time, and nothing a program the
    submission starts would inherit."""
    import fcntl

    names = [name for name, fd in fds.items() if fd is not None]
    moved = {name: fcntl.fcntl(fds[name], fcntl.F_DUPFD_CLOEXEC, 256) for name in names}
    for name in names:
        os.close(fds[name])
    for number, name in enumerate(names, start=3):
        os.dup2(moved[name], number, inheritable=False)
        os.close(moved[name])
    return {**fds, **{name: number for number, name in enumerate(names, start=3)}}
