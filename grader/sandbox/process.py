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
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from grader.sandbox import child, limits, wire, workdir
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
    ) -> None:
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
        theirs = [fd for fd in (req_r, resp_w, status_w, lifeline_r) if fd is not None]
        config = {
            "fds": {"request": req_r, "response": resp_w, "status": status_w,
                    "lifeline": lifeline_r},
            "numpy_path": str(Path(np.__file__).resolve().parents[1]),
            "workdir": str(folder.submission),
            "uid": owner[0] if owner else None,
            "gid": owner[1] if owner else None,
            "limits": rlimits,
            "max_frame": 1 << 30,  # our requests: trusted, and as large as the suite makes them
            "max_value_bytes": MAX_VALUE_BYTES,
        }  # fmt: skip
        try:
            self.proc = subprocess.Popen(
                [sys.executable or "python3", "-I", "-S", child.__file__, _json(config)],
                stdin=subprocess.DEVNULL,
                stdout=out_w,
                stderr=out_w,
                pass_fds=theirs,
                cwd=folder.home,
                env=limits.worker_environment(folder.home, self._token),
                start_new_session=True,
            )
        except OSError as e:
            raise SandboxBroken(f"the sandbox worker could not be started: {e}") from e
        finally:
            for fd in (*theirs, out_w):
                os.close(fd)
        _LIVE.add(self.proc.pid)
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
        limits.kill_tree(self.proc, self._token, keep=frozenset(_LIVE - {self.proc.pid}))
        _LIVE.discard(self.proc.pid)
        output = self.take_output()
        for fd in (self._req_w, self._resp_r, self._out_r, self._status_r, self._lifeline_w):
            if fd is not None and fd >= 0:
                os.close(fd)
        self._req_w = self._resp_r = self._out_r = self._status_r = self._lifeline_w = -1
        self._end = self._end or "was stopped by the grader"
        return output


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


def scrubber(folder: workdir.PrivateFolder) -> list[tuple[str, str]]:
    """What `clean` replaces: the private folder (its copy's files read as plain names), the
    grader's package and the Python installation."""
    pairs = []
    for root in {str(folder.root), os.path.realpath(folder.root)}:
        pairs += [(f"{root}{os.sep}submission{os.sep}", ""), (root, "<tmp>")]
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


def _json(config: dict) -> str:
    return json.dumps(config, separators=(",", ":"))
