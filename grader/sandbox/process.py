"""One worker process as the grader sees it: starting it, talking to it, ending it.

`WorkerProcess` starts `child.py` (on Linux: its reaper, which forks the worker), owns the
pipes to it, sends a request and waits for the answer while draining the worker's output
(capped), and turns every way of ending (a timeout, a death the reaper reports, a closed or
garbled channel) into `TimedOut` or `Died` with a sentence for the student. `kill()` SIGKILLs
the whole tree. What to do about it (restart, remember) is `client.Sandbox`'s business.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from grader.sandbox import arguments, child, limits, proctree, wire, workdir
from grader.sandbox.errors import SandboxBroken

MAX_VALUE_BYTES = 16 << 20  # arrays and strings of one returned value; beyond: Foreign
MAX_FRAME = 2 * MAX_VALUE_BYTES  # the largest answer we read; above it the worker is killed
STARTUP_SECONDS = 60.0  # a cold start on a loaded CI machine; not the student's time
_GRADER_DIR = str(Path(__file__).resolve().parents[1])
_PYTHON_DIRS = sorted({sys.prefix, sys.base_prefix, sys.exec_prefix}, key=len, reverse=True)


#: The reapers (on Linux) of this process's workers that are alive: killing one worker's tree
#: must spare the others, whose processes carry the same sandbox token.
_LIVE: set[int] = set()


class Died(Exception):
    """The worker ended (or broke the protocol); the message says how, for a student."""


class TimedOut(Exception):
    """The deadline passed without an answer."""


class WorkerProcess:
    """One worker process (on Linux: its reaper) and the pipes to it."""

    def __init__(
        self,
        folder: workdir.PrivateFolder,
        *,
        owner: tuple[int, int] | None,
        token: str,
        rlimits: dict[str, int],
        output_limit: int,
        scrub: list[tuple[str, str]],
        refused: tuple[str, ...],
    ) -> None:
        self._setup(folder, owner, token, output_limit, scrub)
        theirs, out_w = self._open_pipes()
        passed = [fd for fd in theirs.values() if fd is not None]
        config = _config(owner, rlimits, refused, fds=theirs)
        config.update(folder=str(folder.root), workdir=str(folder.submission))
        try:
            self.proc = subprocess.Popen(
                worker_command(config),
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                pass_fds=passed,
                cwd=folder.home,
                env=limits.worker_environment(folder.home, self._token),
                start_new_session=True,
            )
        except OSError as e:
            raise SandboxBroken(f"the sandbox worker could not be started: {e}") from e
        finally:
            for fd in (*passed, out_w):
                os.close(fd)
        _LIVE.add(self.proc.pid)
        self._watch()

    @classmethod
    def start_group(
        cls,
        folders: list[workdir.PrivateFolder],
        *,
        owner: tuple[int, int] | None,
        token: str,
        rlimits: dict[str, int],
        output_limit: int,
        scrub: list[tuple[str, str]],
        refused: tuple[str, ...],
        zygote: Zygote | None = None,
    ) -> list[WorkerProcess]:
        """A worker per folder (Linux only), forked by one `child.py` process after its imports.

        That process (the fork server) imports Python's and NumPy's modules once, runs no
        student code, forks one process per worker with that worker's pipes only, tells us their
        pids and exits; each fork then becomes a worker exactly as one started alone does (its
        own session, reaper, limits, uid, namespaces, seccomp). Its reaper is then our child
        (we are a subreaper), and the worker is as separate from its siblings as before.

        With a `zygote` (`grade batch`), that process is a fork of the zygote, which has done the
        imports once for every submission of the grading process; the reapers are then adopted
        by the zygote's owner, not by us (see `Zygote`).
        """
        count = len(folders)
        workers = [cls.__new__(cls) for _ in range(count)]
        members, ours = [], []
        for worker, folder in zip(workers, folders, strict=True):
            worker._setup(folder, owner, token, output_limit, scrub)
            theirs, out_w = worker._open_pipes()
            members.append({**theirs, "output": out_w})
            ours += [worker._req_w, worker._resp_r, worker._out_r, worker._status_r,
                     worker._lifeline_w]  # fmt: skip
        pids_r, pids_w = os.pipe()
        passed = [fd for m in members for fd in m.values() if fd is not None] + [pids_w]
        config = _config(owner, rlimits, refused, fds=None)
        config.update(members=members, pids=pids_w)
        config["folders"] = [[str(f.root), str(f.submission)] for f in folders]
        home = folders[0].home  # each member moves to its own at once
        env = limits.worker_environment(home, token)

        def start() -> subprocess.Popen | None:
            if zygote is not None and zygote.alive:  # its fork does the rest; not our child
                try:
                    zygote.request(config, env=env, cwd=home)
                    return None
                except OSError:  # gone since the last submission: a fork server, this once
                    zygote.alive = False
            return subprocess.Popen(
                worker_command(config),
                stdin=subprocess.DEVNULL,
                stdout=members[0]["output"],  # what the imports print: the first worker's
                stderr=members[0]["output"],
                pass_fds=passed,
                cwd=home,
                env=env,
                start_new_session=True,
            )

        try:
            server = start()
        except OSError as e:
            for fd in (*ours, pids_r):
                if fd is not None:
                    os.close(fd)
            raise SandboxBroken(f"the sandbox workers could not be started: {e}") from e
        finally:
            for fd in passed:
                os.close(fd)
        group = _Group(server, pids_r, count, token, adopter=None if server else zygote.owner)
        for index, worker in enumerate(workers):
            worker.proc = _Member(group, index)
            worker._watch()
        return workers

    def _setup(
        self,
        folder: workdir.PrivateFolder,
        owner: tuple[int, int] | None,
        token: str,
        output_limit: int,
        scrub: list[tuple[str, str]],
    ) -> None:
        self.folder = folder
        #: Where each call's array arguments go for this worker to map (arguments.py).
        self.arguments = arguments.ArgumentFile(folder.calls, owner)
        self.imported: set[str] = set()  # the student modules this worker has imported
        self.info: dict = {}  # what it said when ready: pid, uid, limits applied
        self.output_limit = output_limit
        self.scrub = scrub
        self._output = bytearray()
        self._dropped = 0
        self._frames = wire.FrameBuffer(MAX_FRAME)
        self._token = token
        self._end: str | None = None
        self.killed = False

    def _open_pipes(self) -> tuple[dict, int]:
        """Our ends of the worker's pipes; returns its ends (by name) and its output's."""
        # The worker reads requests, writes answers, and its reaper reports how it ended; the
        # lifeline's end of file tells the reaper we are gone. Output is fd 1 and 2 of both.
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        self._out_r, out_w = os.pipe()
        status_r = status_w = lifeline_r = self._lifeline_w = None
        if limits.LINUX:
            status_r, status_w = os.pipe()
            lifeline_r, self._lifeline_w = os.pipe()
        self._status_r = status_r
        theirs = {"request": req_r, "response": resp_w, "status": status_w, "lifeline": lifeline_r}
        return theirs, out_w

    def _watch(self) -> None:
        for fd in (self._req_w, self._resp_r, self._out_r, self._status_r):
            if fd is not None:
                os.set_blocking(fd, False)
        self._poll = select.poll()
        for fd in (self._resp_r, self._out_r, self._status_r):
            if fd is not None:
                self._poll.register(fd, select.POLLIN)

    # --- talking -------------------------------------------------------------------------------

    def wait_ready(self) -> None:
        if self.info:
            return
        try:
            header, _ = self._receive(time.monotonic() + STARTUP_SECONDS)
        except (Died, TimedOut) as e:
            output = self.kill()
            raise SandboxBroken(f"the sandbox worker did not start ({e}): {output}") from None
        if not header.get("ready"):
            self.kill()
            raise SandboxBroken(f"the sandbox worker said {header!r} instead of ready")
        self.info = header
        self.take_output()
        if isinstance(self.proc, _Member):  # its fork server is exiting now: learn the pids
            if not self.proc.group.resolve(STARTUP_SECONDS):  # never handed out unwatched
                output = self.kill()
                raise SandboxBroken(f"the sandbox's fork server failed: {output}")

    def exchange(self, header: dict, blobs: list[bytes], timeout: float) -> tuple[dict, list]:
        """Send one request and wait for its answer; TimedOut or Died otherwise."""
        deadline = time.monotonic() + timeout
        data = memoryview(wire.pack(header, blobs))
        while data:  # the worker is idle and reading, but a request may exceed the pipe buffer
            try:
                data = data[os.write(self._req_w, data) :]
            except BlockingIOError:
                self._wait(deadline, write=True)
            except BrokenPipeError:
                self._finish(self._end_report(wait=0.5) or "closed its channel to the grader")
        return self._receive(deadline)

    def _receive(self, deadline: float) -> tuple[dict, list]:
        while True:
            try:
                frame = self._frames.pop()
            except wire.ProtocolError as e:
                self._finish(f"sent data the grader cannot read ({e})")
            if frame is not None:
                self._read_output()
                return frame
            self._wait(deadline)

    def _wait(self, deadline: float, write: bool = False) -> None:
        """Wait for any pipe until `deadline`, taking in output and answer bytes as they come."""
        if self._end is not None:
            raise Died(self._end)
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimedOut
        if self._status_r is None:  # off Linux no reaper reports the end: look now and then
            left = min(left, 0.05)
        if write:
            self._poll.register(self._req_w, select.POLLOUT)
        try:
            events = self._poll.poll(math.ceil(left * 1000))
        finally:
            if write:
                self._poll.unregister(self._req_w)
        self._handle(events)

    def _handle(self, events: list[tuple[int, int]]) -> None:
        for fd, _ in events:
            if fd == self._out_r:
                self._read_output()
            elif fd == self._resp_r:
                try:
                    chunk = os.read(fd, self._frames.wanted())
                except BlockingIOError:
                    continue
                if not chunk:
                    self._finish(self._end_report(wait=0.5) or "closed its channel to the grader")
                self._frames.feed(chunk)
            elif fd == self._status_r:
                self._finish(self._end_report(wait=0) or "was stopped from outside")
        if self._status_r is None and self.proc.poll() is not None:
            self._finish(describe_end(self.proc.returncode))

    def _end_report(self, wait: float) -> str | None:
        """How the worker ended, as its reaper reports it (waiting up to `wait` s), or None."""
        if self._status_r is None:
            try:
                return describe_end(self.proc.wait(wait))
            except subprocess.TimeoutExpired:
                return None
        if wait:
            poll = select.poll()
            poll.register(self._status_r, select.POLLIN)
            poll.poll(wait * 1000)
        try:
            line = os.read(self._status_r, 4096).split(b"\n")[0]
            end = json.loads(line) if line else {}
        except (OSError, ValueError):
            return None
        if type(end) is not dict:
            return None
        code = end.get("exit", -end["signal"] if type(end.get("signal")) is int else None)
        return describe_end(code) if type(code) is int else None

    def _finish(self, how: str) -> None:
        self._read_output()
        self._end = how
        raise Died(how)

    def _read_output(self) -> None:
        """Drain the output pipe, keeping at most `output_limit` bytes per call."""
        while self._out_r >= 0:
            try:
                chunk = os.read(self._out_r, 1 << 16)
            except BlockingIOError:
                return
            if not chunk:  # every writer is gone
                self._poll.unregister(self._out_r)
                os.close(self._out_r)
                self._out_r = -1
                return
            room = max(self.output_limit - len(self._output), 0)
            self._output += chunk[:room]
            self._dropped += max(len(chunk) - room, 0)

    def take_output(self) -> str:
        """The output since the last take, as text, with a note if some was cut."""
        self._read_output()
        text = clean(self._output.decode("utf-8", errors="replace"), self.scrub)
        if self._dropped:
            text += f"\n[... output cut: {_size(self._dropped)} more not shown ...]\n"
        self._output.clear()
        self._dropped = 0
        return text

    # --- ending --------------------------------------------------------------------------------

    def ended(self) -> bool:
        """Whether the worker is known to be gone (checked without waiting)."""
        if self._end is None:
            try:
                self._handle(self._poll.poll(0))
            except Died:
                pass
        return self._end is not None

    def kill(self) -> str:
        """SIGKILL the whole tree, reap it, close our pipes; return the output not yet taken."""
        if self.killed:
            return ""
        self.killed = True
        proc, adopter = self.proc, None
        if isinstance(proc, _Member):
            adopter = proc.group.adopter
            proc = proc.reaper()  # None: its group never started, and is killed whole
        if proc is not None:
            keep = frozenset(_LIVE - {proc.pid})
            limits.kill_tree(proc, self._token, keep=keep, adopter=adopter)
            _LIVE.discard(proc.pid)
        output = self.take_output()
        for fd in (self._req_w, self._resp_r, self._out_r, self._status_r, self._lifeline_w):
            if fd is not None and fd >= 0:
                os.close(fd)
        self._req_w = self._resp_r = self._out_r = self._status_r = self._lifeline_w = -1
        self.arguments.close()
        self._end = self._end or "was stopped by the grader"
        return output


class Zygote:
    """A fork server that stays: one per grading process of `grade batch` (Linux only).

    Started once, it imports Python's and NumPy's modules like any worker, then waits for
    requests; every group of workers (`WorkerProcess.start_group`) is then forked from it, so a
    submission's workers cost a few forks instead of an interpreter and a NumPy import (~0.2 s
    of CPU). It never runs student code and holds nothing of the grader's but the requests.

    The process that starts it (the owner) is made a child subreaper and must stay an
    ancestor of the graders that use it (its forks): the workers' reapers are re-parented to
    the owner, which reaps them after each submission (`reap`), while the grader sees them end
    through pidfds. Every process of every sandbox it serves carries its token (a forked
    process shows the zygote's environment in /proc), and the zygote itself is spared when a
    sandbox is cleaned up.
    """

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.owner = os.getpid()
        self.token = secrets.token_hex(8)
        config = {"zygote": theirs.fileno(), "numpy_path": _numpy_path()}
        limits.become_subreaper()
        try:
            self.proc = subprocess.Popen(
                worker_command(config),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=[theirs.fileno()],
                cwd="/",
                env=limits.worker_environment(Path("/"), self.token),
                start_new_session=True,
            )
        except OSError as e:
            ours.close()
            raise SandboxBroken(f"the zygote could not be started: {e}") from e
        finally:
            theirs.close()
        self._sock = ours
        self.alive = True
        _LIVE.add(self.proc.pid)  # it carries the token: never taken for an orphan

    @staticmethod
    def available() -> bool:
        """Whether this system has what a zygote needs (Linux, pidfds)."""
        return limits.LINUX and hasattr(os, "pidfd_open") and hasattr(socket, "send_fds")

    def request(self, config: dict, *, env: dict[str, str], cwd: Path) -> None:
        """Ask for a group of workers: `config` as for a fork server started for the group, its
        descriptors passed along (the zygote's fork gets its own copies)."""
        if not self.alive:
            raise OSError("the zygote has ended")
        fds: list[int] = []

        def at(fd: int | None) -> int | None:
            if fd is None:
                return None
            fds.append(fd)
            return len(fds) - 1

        members = [{name: at(fd) for name, fd in member.items()} for member in config["members"]]
        request = {
            "config": {
                **config,
                "members": members,
                "pids": at(config["pids"]),
                # Not the workers' ancestors once the zygote's fork has exited: the grader,
                # the zygote and its owner, which the workers' seccomp filter must protect too.
                "protect": [os.getpid(), self.proc.pid, self.owner],
            },
            "env": env,
            "cwd": str(cwd),
        }
        socket.send_fds(self._sock, [_json(request).encode()], fds)

    def reap(self) -> int:
        """(The owner, between submissions.) Reap every child that has ended: the reapers of the
        workers forked for the last submission, which were re-parented to us. Returns the peak
        memory (KiB) of the largest of them, workers included."""
        peak = 0
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return peak
            if pid == 0:
                return peak
            peak = max(peak, usage.ru_maxrss)  # the reaper's, and its worker's (reaped by it)
            if pid == self.proc.pid:
                self.proc.returncode = os.waitstatus_to_exitcode(status)
                self.alive = False
                _LIVE.discard(pid)

    def healthy(self) -> bool:
        """(The owner, between submissions.) Whether the zygote can serve: alive and not
        stopped. One that cannot is ended, so that the owner starts another."""
        if not self.alive:
            return False
        state = proctree.processes().get(self.proc.pid, (0, "X", 0))[1]
        if state in ("R", "S", "D"):  # running, sleeping, in an uninterruptible wait
            return True
        self.proc.kill()
        self.close()
        return False

    def close(self) -> None:
        """End the zygote (end of file on its socket), killing it if it does not go."""
        self._sock.close()
        self.alive = False
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        _LIVE.discard(self.proc.pid)


class _Group:
    """The fork server of `WorkerProcess.start_group` and the pids of the reapers it forked."""

    def __init__(
        self,
        server: subprocess.Popen | None,
        pids_r: int,
        count: int,
        token: str,
        adopter: int | None = None,
    ) -> None:
        self.server = server  # None: a fork of a zygote, not our child
        self.adopter = adopter  # who adopts the reapers when that is not us (a zygote's owner)
        self.token = token
        self.count = count
        self.reapers: list[_Adopted] | None = None  # once known
        self.failed = False
        self._pids_r = pids_r
        self._data = b""
        os.set_blocking(pids_r, False)
        if server is not None:
            _LIVE.add(server.pid)

    def resolve(self, wait: float) -> bool:
        """Learn the reapers' pids, waiting up to `wait` s for the server to send them and exit;
        whether they are known."""
        deadline = time.monotonic() + wait
        while self.reapers is None and not self.failed:
            try:
                chunk = os.read(self._pids_r, 4096)
            except BlockingIOError:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                select.select([self._pids_r], [], [], left)
                continue
            if chunk:
                self._data += chunk
                continue
            os.close(self._pids_r)  # end of file: the server has sent all and is exiting
            self._pids_r = -1
            try:
                if self.server is not None:
                    self.server.wait(timeout=STARTUP_SECONDS)
                pids = json.loads(self._data)
            except (subprocess.TimeoutExpired, ValueError):
                pids = None
            ok = type(pids) is list and all(type(p) is int and p > 0 for p in pids)
            if not ok or len(pids) != self.count:
                self._fail()
                return False
            if self.server is not None:
                _LIVE.discard(self.server.pid)  # its forks are now our children
            try:
                self.reapers = [_Adopted(pid, ours=self.adopter is None) for pid in pids]
            except OSError:
                self._fail()
                return False
            _LIVE.update(pids)
        return self.reapers is not None

    def _fail(self) -> None:
        """Kill the server and everything it forked (the forks carry the sandbox's token)."""
        if self.failed:
            return
        self.failed = True
        if self._pids_r >= 0:
            try:
                os.close(self._pids_r)
            except OSError:
                pass
            self._pids_r = -1
        if self.server is not None:
            _LIVE.discard(self.server.pid)
            limits.kill_tree(self.server, self.token, keep=frozenset(_LIVE))
        else:  # a zygote's fork is not ours: whatever it forked carries the token
            limits.kill_marked(self.token, root=self.adopter, keep=frozenset(_LIVE))


class _Member:
    """Where a worker of a group stands: its reaper, once its fork server has said which."""

    def __init__(self, group: _Group, index: int) -> None:
        self.group = group
        self.index = index

    def reaper(self) -> _Adopted | None:
        """Its reaper; None if the group never got that far (it is then killed whole)."""
        if not self.group.resolve(0):
            self.group._fail()
            return None
        return self.group.reapers[self.index]


class _Adopted:
    """A reaper forked by a fork server: as much of Popen as `kill_tree` needs (pid,
    returncode, wait). Adopted by us, or (`ours=False`) by a zygote's owner, which reaps it
    only after we are gone: we then see its end through a pidfd, and its pid cannot be reused
    meanwhile."""

    def __init__(self, pid: int, *, ours: bool = True) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._pidfd = None if ours else os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd is not None:
            if select.select([self._pidfd], [], [], 0)[0]:  # readable: it has ended
                os.close(self._pidfd)
                self._pidfd = None
                self.returncode = -signal.SIGKILL  # its status is for its parent to read
            return self.returncode
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = -signal.SIGKILL  # reaped elsewhere: gone anyway
                return self.returncode
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = 0.0002  # a killed reaper is usually gone within a millisecond: look again soon
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"reaper {self.pid}", timeout)
            time.sleep(pause)
            pause = min(2 * pause, 0.005)
        return self.returncode


def describe_end(code: int) -> str:
    """How a worker ended, from its exit code (negative: killed by that signal), for a student."""
    if code >= 0:
        return (
            f"exited with status {code} (did your code call sys.exit() or os._exit() "
            "in a place where it cannot be caught?)"
        )
    sig = -code
    try:
        name = signal.Signals(sig).name
    except ValueError:
        name = f"signal {sig}"
    why = {
        "SIGSEGV": " (a segmentation fault: memory was accessed out of bounds, e.g. via ctypes)",
        "SIGKILL": " (perhaps it used too much memory, or the CPU-time limit)",
        "SIGXCPU": " (it used more CPU time than allowed)",
        "SIGABRT": " (an internal error of Python or a library aborted it)",
        "SIGBUS": " (a bus error: memory was accessed wrongly)",
    }.get(name, "")
    return f"was killed by {name}{why}"


def scrub_pairs(folder: workdir.PrivateFolder) -> list[tuple[str, str]]:
    """What `clean` replaces for one worker's folder: its copy's files read as plain names,
    the rest of it as <tmp>."""
    pairs = []
    for root in dict.fromkeys((str(folder.root), os.path.realpath(folder.root))):
        pairs += [(f"{root}{os.sep}submission{os.sep}", ""), (root, "<tmp>")]
    return pairs


def scrubber(run_root: Path) -> list[tuple[str, str]]:
    """What `clean` replaces whatever the worker: the scratch run, the grader's package and the
    Python installation (`scrub_pairs` of each worker's folder go in front)."""
    pairs = [(root, "<tmp>") for root in dict.fromkeys((str(run_root), os.path.realpath(run_root)))]
    pairs.append((_GRADER_DIR, "<grader>"))
    return pairs + [(d, "<python>") for d in _PYTHON_DIRS]


def clean(text: str, scrub: list[tuple[str, str]]) -> str:
    """`text` without the paths of `scrub` (grader and private paths, never for students)."""
    for path, replacement in scrub:
        text = text.replace(path, replacement)
    return text


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / 2**20:.1f} MB"
    return f"{n / 2**10:.1f} KB" if n >= 1 << 10 else f"{n} bytes"


def _config(owner, rlimits: dict, refused: tuple[str, ...], fds: dict | None) -> dict:
    """What `child.py` is told (as JSON on its command line), but for its folders and pipes."""
    return {
        "fds": fds,
        "numpy_path": _numpy_path(),
        "uid": owner[0] if owner else None,
        "gid": owner[1] if owner else None,
        "limits": rlimits,
        "refused": list(refused),
        "dropbox": limits.dropbox(),
        "landlock": limits.filesystem_confined(),
        "max_frame": 1 << 30,  # our requests: trusted, and as large as the suite makes them
        "max_value_bytes": MAX_VALUE_BYTES,
    }


def worker_command(config: dict) -> list[str]:
    """How every worker program is started (a worker, a fork server, the zygote, the portable
    worker): this Python, isolated (-I) and without site-packages (-S), on `child.py`."""
    return [sys.executable or "python3", "-I", "-S", child.__file__, _json(config)]


def _numpy_path() -> str:
    return str(Path(np.__file__).resolve().parents[1])


def _json(config: dict) -> str:
    return json.dumps(config, separators=(",", ":"))
