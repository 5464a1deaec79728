"""The portable worker: what Windows and macOS get, and Linux with `GRADE_SANDBOX=portable`.

The same worker program, the same data-only channel, the same per-call timeouts, output caps,
fresh worker after a crash and restored submission folder as on Linux; only the parts that need
Linux are missing (see `describe`). It uses nothing a system might lack: the channel is the
worker's standard input and output, read by threads (Windows cannot wait on pipes with
`select`), and the worker's process tree is found and killed with psutil, children by parent
and detached ones by the worker's token in their environment (the sandbox's token, a dot, and
the worker's folder) or by their working folder.
"""

from __future__ import annotations

import os
import queue
import secrets
import subprocess
import sys
import threading
import time

from grader.sandbox import limits, wire, workdir
from grader.sandbox.errors import SandboxBroken
from grader.sandbox.process import (
    Died,
    TimedOut,
    WorkerProcess,
    _config,
    describe_end,
    worker_command,
)

KILL_SECONDS = 5.0  # how long to go on killing a tree that keeps forking
SYNC_SECONDS = 1.0  # how long an answer waits for its output's marker


def selected() -> bool:
    """Whether gradings here use the portable sandbox: off Linux always, on Linux when
    `GRADE_SANDBOX=portable` (any other value, or none, means the best sandbox available)."""
    return sys.platform != "linux" or os.environ.get("GRADE_SANDBOX", "").lower() == "portable"


class PortableWorkerProcess(WorkerProcess):
    """A worker started with its channel on standard input and output; see the module."""

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
        # A token of its own (the sandbox's, plus its folder's name): killing this worker's
        # processes must spare the sandbox's other workers, found the same way.
        token = f"{token}.{folder.root.name}"
        self._setup(folder, None, token, output_limit, scrub)
        self._folder = str(folder.root)
        config = _config(None, rlimits, refused, fds=None)
        config.update(folder=str(folder.root), workdir=str(folder.submission), portable=True)
        new_group = {"start_new_session": True} if os.name == "posix" else {
            "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # fmt: skip
        try:
            self.proc = subprocess.Popen(
                worker_command(config),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=folder.home,
                env=limits.worker_environment(folder.home, token),
                **new_group,
            )
        except OSError as e:
            raise SandboxBroken(f"the sandbox worker could not be started: {e}") from e
        self._events: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._pending = bytearray()  # output the reader took in since the last drain
        self._pending_dropped = 0
        # What the worker writes on its output pipe once a request's output is all there (see
        # `exchange`), while the answer is awaited; the bytes that may be its beginning.
        self._marker: bytes | None = None
        self._held = b""
        self._synced = threading.Event()
        self._sync_lost = False  # the submission moved its output away: never wait again
        self._status_r = None
        for target, stream in ((self._read_answers, self.proc.stdout),
                               (self._read_printed, self.proc.stderr)):  # fmt: skip
            threading.Thread(target=target, args=(stream,), daemon=True).start()

    # --- the reading threads ---------------------------------------------------------------------

    def _read_answers(self, stream) -> None:
        while True:
            try:
                chunk = stream.read1(1 << 16)
            except (OSError, ValueError):
                chunk = b""
            self._events.put(("answer", chunk))
            if not chunk:
                stream.close()
                return

    def _read_printed(self, stream) -> None:
        """Keep at most `output_limit` bytes not yet drained, counting the rest; never block
        the worker on a full pipe."""
        while True:
            try:
                chunk = stream.read1(1 << 16)
            except (OSError, ValueError):
                chunk = b""
            if not chunk:
                stream.close()
                return
            with self._lock:
                data, marker = self._held + chunk, self._marker
                at = data.find(marker) if marker else -1
                if at >= 0:  # all the request's output is in: what follows is a later one's
                    self._keep(data[:at])
                    self._keep(data[at + len(marker) :])
                    self._marker, self._held = None, b""
                    self._synced.set()
                    continue
                hold = len(marker) - 1 if marker else 0
                cut = max(len(data) - hold, 0)
                self._keep(data[:cut])
                self._held = data[cut:]

    def _keep(self, data: bytes) -> None:
        room = max(self.output_limit - len(self._pending), 0)
        self._pending += data[:room]
        self._pending_dropped += max(len(data) - room, 0)

    # --- talking ---------------------------------------------------------------------------------

    def exchange(self, header: dict, blobs: list[bytes], timeout: float) -> tuple[dict, list]:
        deadline = time.monotonic() + timeout
        if not self._sync_lost:
            # The printed output comes on another pipe, read by another thread: the worker
            # writes this marker after it and before the answer, so that `_read_output` knows
            # when all of it is in (without it an answer may overtake what its call printed).
            nonce = secrets.token_hex(8)
            header = {**header, "sync": nonce}
            with self._lock:
                self._marker = wire.SYNC_MARKER % nonce.encode()
                self._synced.clear()
        data = wire.pack(header, blobs)
        threading.Thread(target=self._write, args=(data,), daemon=True).start()
        return self._receive(deadline)

    def _write(self, data: bytes) -> None:
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (OSError, ValueError):
            pass  # the worker is gone: its answer pipe says so

    def _wait(self, deadline: float, write: bool = False) -> None:
        if self._end is not None:
            raise Died(self._end)
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimedOut
        try:
            kind, chunk = self._events.get(timeout=left)
        except queue.Empty:
            raise TimedOut from None
        if not chunk:
            self._finish(self._end_report(wait=0.5) or "closed its channel to the grader")
        self._frames.feed(chunk)

    def _end_report(self, wait: float) -> str | None:
        try:
            return describe_end(self.proc.wait(wait))
        except subprocess.TimeoutExpired:
            return None

    def _read_output(self) -> None:
        answered = self._marker is not None and not self.killed and self._end is None
        if answered and not self._synced.wait(SYNC_SECONDS):
            self._sync_lost = True  # e.g. its standard error closed: take what came, in order
        with self._lock:
            self._keep(self._held)
            self._marker, self._held = None, b""
            room = max(self.output_limit - len(self._output), 0)
            self._output += self._pending[:room]
            self._dropped += max(len(self._pending) - room, 0) + self._pending_dropped
            self._pending.clear()
            self._pending_dropped = 0

    def ended(self) -> bool:
        if self._end is None and self.proc.poll() is not None:
            self._end = self._end_report(wait=0) or "ended"
        return self._end is not None

    def kill(self) -> str:
        if self.killed:
            return ""
        self.killed = True
        kill_tree(self.proc, self._token, self._folder)
        self.arguments.close()
        time.sleep(0.01)  # the reading threads take in what was printed last
        output = self.take_output()
        # Only our end of its input: the reading threads close theirs at end of file (closing a
        # stream another thread is reading would wait for that read, for ever if a process that
        # escaped holds the pipe open).
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self._end = self._end or "was stopped by the grader"
        return output


def kill_tree(proc: subprocess.Popen, token: str, folder: str) -> None:
    """Kill the worker, everything below it, and every process that carries `token` in its
    environment or works in the worker's `folder` (detached ones), until none is left; reap
    the worker. (A process that detaches, clears its environment and leaves the folder escapes
    this; on Linux the reaper catches it, see docs/security.md.)"""
    import psutil

    marker = (limits.TOKEN_VARIABLE, token)
    inside = os.path.join(os.path.realpath(folder), "")
    deadline = time.monotonic() + KILL_SECONDS
    quiet = 0  # scans in a row that found nothing alive: two, a moment apart, end it
    while True:
        found = []
        try:
            root = psutil.Process(proc.pid)
            found = [root, *root.children(recursive=True)]
        except psutil.Error:
            pass
        for candidate in psutil.process_iter():
            if candidate.pid == os.getpid():
                continue
            try:
                environ = candidate.environ()
                cwd = os.path.join(candidate.cwd(), "")
            except psutil.Error:
                continue
            if environ.get(marker[0]) == marker[1] or cwd.startswith(inside):
                found.append(candidate)
        alive = []
        for process in found:
            try:
                if process.status() != psutil.STATUS_ZOMBIE:
                    process.kill()
                    alive.append(process)
            except psutil.Error:
                pass
        quiet = 0 if alive else quiet + 1
        if quiet >= 2 or time.monotonic() > deadline:
            break
        if alive:
            psutil.wait_procs(alive, timeout=0.2)
        else:  # a process forked during the last scan may show only now
            time.sleep(0.02)
    try:
        proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        pass
