"""`Sandbox`: run a submission's functions in an isolated worker process and get data back.

    with Sandbox("path/to/submission", timeout=5) as sandbox:
        result = sandbox.call("batch_gradient", "gradients", X, y, w, b)
        result.value, result.mutated, result.output, result.seconds

The worker (`child.py`) starts in the background as soon as the sandbox exists. A call that
does not answer in time, or a worker that dies, gets its whole process tree killed (SIGKILL) and
a fresh worker for the next call. Modules are imported on their first call; a module whose
import failed, a function that timed out once and one that crashed its worker twice fail fast
afterwards, so that a broken submission costs about one timeout per function, not per test.
"""

from __future__ import annotations

import math
import os
import secrets
import select
import signal
import subprocess
import sys
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import defaults
from grader.sandbox import child, limits, wire, workdir
from grader.sandbox.errors import (
    CallTimeout,
    FunctionMissing,
    ImportFailed,
    ModuleMissing,
    SandboxBroken,
    StudentException,
    WorkerCrashed,
)

MAX_FRAME = 256 << 20  # the largest answer we read; above it the worker is killed
MAX_ARRAY_BYTES = 16 << 20  # larger returned arrays arrive as Foreign
STARTUP_SECONDS = 60.0  # a cold start on a loaded CI machine; not the student's time
CRASHES_BEFORE_GIVING_UP = 2  # each crash costs a new worker; a function crashing twice is done
_GRADER_DIR = str(Path(__file__).resolve().parents[1])
_PYTHON_DIRS = sorted({sys.prefix, sys.base_prefix, sys.exec_prefix}, key=len, reverse=True)


@dataclass(frozen=True)
class CallResult:
    """What one call gave back, all of it data the grader made from the worker's answer."""

    value: Any  # decoded return value, or Foreign for what could not cross as data
    mutated: tuple[str, ...]  # arguments the call changed in place (names, else "argument N")
    output: str  # stdout and stderr of the call, capped, with a note when cut
    seconds: float  # wall time seen by the grader, channel included


class _Died(Exception):
    """The worker ended (or broke the protocol); the message says how, for a student."""


class _TimedOut(Exception):
    pass


class Sandbox:
    """A private copy of a submission and the worker that runs it; use it as a context manager.

    `timeout` bounds each call (and each module's import) in wall seconds; `memory_mb` is the
    worker's address-space limit; `user` is who the worker becomes when the grader is root
    (None keeps root: only for debugging). `output_limit` caps what one call's output keeps.
    """

    def __init__(
        self,
        submission_dir: str | os.PathLike,
        *,
        timeout: float = defaults.TIMEOUT,
        memory_mb: int = defaults.MEMORY_MB,
        user: str | int | None = "nobody",
        output_limit: int = 64 << 10,
    ) -> None:
        if os.name != "posix":
            raise SandboxBroken(
                "The grader's sandbox needs Linux or macOS; on Windows, run `grade` inside WSL."
            )
        self.timeout = timeout
        self.output_limit = output_limit
        self._original = Path(submission_dir).resolve()
        self._owner = limits.worker_user(user)
        #: Marks every process of this sandbox's workers: GD_SANDBOX=<token> in its environment.
        self.token = secrets.token_hex(8)
        self._limits = limits.worker_limits(memory_mb=memory_mb, timeout=timeout)
        self._modules_present: set[str] = set()
        self._broken: dict[str, ImportFailed] = {}
        self._timed_out: dict[tuple[str, str], str] = {}
        self._crashes: dict[tuple[str, str], int] = {}
        self._worker: _Worker | None = None
        limits.harden_trusted_process()
        limits.protect_reference()
        self._snapshot = workdir.take_snapshot(self._original)
        self._folder = workdir.PrivateFolder(self._snapshot, self._owner)
        self.scrub = _scrubber(self._folder)
        # What the finalizer needs, held apart so that it keeps no reference to self.
        self._state: dict = {"worker": None, "repaired": []}
        self._finalizer = weakref.finalize(
            self, _cleanup, self._state, self._folder, self._original, self._snapshot
        )
        self._start()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> list[str]:
        """Kill the worker's tree, delete the private copy, restore the original folder.

        Returns the paths of the original folder that had to be restored (normally none).
        """
        self._finalizer()
        return self._state["repaired"]

    @property
    def worker_info(self) -> dict:
        """What the current worker reported at startup (pid, uid, applied limits...)."""
        return self._ready_worker().info

    def call(self, module: str, function: str, /, *args: Any, **kwargs: Any) -> CallResult:
        """Call `module.function(*args, **kwargs)` in the worker; raise errors.* on failure."""
        if not self._finalizer.alive:
            raise RuntimeError("this Sandbox is closed")
        if module in self._broken:
            raise _copy(self._broken[module])
        if module not in self._modules_present and not self._folder.has_module(module):
            raise ModuleMissing(f"The submission has no file {module}.py.")
        if (module, function) in self._timed_out:
            raise CallTimeout(self._timed_out[module, function])
        if self._crashes.get((module, function), 0) >= CRASHES_BEFORE_GIVING_UP:
            raise WorkerCrashed(
                f"`{function}` made the process running it die {CRASHES_BEFORE_GIVING_UP} times, "
                "so the grader does not run it again. Run it yourself to see why."
            )
        arguments, blobs = wire.encode((args, kwargs), untrusted=False)
        self._modules_present.add(module)
        worker = self._ready_worker()
        preamble = ""
        if module not in worker.imported:
            preamble = self._import(worker, module)
            worker = self._ready_worker()
        request = {"op": "call", "module": module, "function": function, "arguments": arguments}
        start = time.perf_counter()
        try:
            header, answer_blobs = worker.exchange(request, blobs, self.timeout)
        except _TimedOut:
            message = (
                f"`{function}` did not return within {self.timeout:g} s and was stopped. Look for "
                "a loop that never ends: does your stopping condition ever become true?"
            )
            self._timed_out[module, function] = (
                f"{message} (An earlier call of `{function}` already took too long, so the "
                "grader does not run it again.)"
            )
            raise CallTimeout(message, output=preamble + self._restart(worker)) from None
        except _Died as died:
            output = self._restart(worker)
            self._crashes[module, function] = self._crashes.get((module, function), 0) + 1
            raise WorkerCrashed(
                f"The process running `{function}` {died}.", output=preamble + output
            ) from None
        seconds = time.perf_counter() - start
        output = preamble + worker.take_output()
        if not header.get("ok"):
            raise self._failure(worker, header, function, output)
        try:
            value = wire.decode(header.get("value"), answer_blobs, trusted_side=True)
            mutated = tuple(self._text(m, 100) for m in _list(header.get("mutated")))
            self._advance_generators(args, kwargs, header.get("rng"), answer_blobs)
        except wire.ProtocolError as e:
            self._restart(worker)
            raise WorkerCrashed(
                f"The process running `{function}` sent an answer the grader cannot read ({e})."
            ) from None
        return CallResult(value, mutated, output, seconds)

    # --- the worker's lifecycle ----------------------------------------------------------------

    def _start(self) -> None:
        self._worker = _Worker(self, self._folder, self._owner)
        self._state["worker"] = self._worker

    def _ready_worker(self) -> _Worker:
        if self._worker is None:
            self._start()
        self._worker.wait_ready()
        if self._worker.ended():  # died between calls (e.g. a thread of the submission)
            self._restart(self._worker)
            self._worker.wait_ready()
        return self._worker

    def _restart(self, worker: _Worker) -> str:
        """Kill `worker`'s tree, start a fresh worker in the background; return its last output."""
        output = worker.kill()
        self._start()
        return output

    def _import(self, worker: _Worker, module: str) -> str:
        """Import `module` in `worker`; on failure remember and raise ImportFailed."""
        what = f"Importing your {module}.py"
        try:
            header, _ = worker.exchange({"op": "import", "module": module}, [], self.timeout)
        except _TimedOut:
            output = self._restart(worker)
            error = ImportFailed(
                f"{what} did not finish within {self.timeout:g} s. Does the module run a long "
                "computation or wait for something at import time?",
                output=output,
            )
        except _Died as died:
            output = self._restart(worker)
            error = ImportFailed(f"{what} failed: the process importing it {died}.", output=output)
        else:
            output = worker.take_output()
            if header.get("ok"):
                worker.imported.add(module)
                return output
            error = ImportFailed(
                f"{what} failed with {self._text(header.get('type'))}: "
                f"{self._text(header.get('message'))}",
                traceback=self._text(header.get("traceback", ""), 1 << 16),
                output=output,
            )
        self._broken[module] = error
        raise _copy(error)

    def _failure(self, worker: _Worker, header: dict, function: str, output: str) -> Exception:
        kind = header.get("error")
        if kind == "raised":
            type_name = self._text(header.get("type"), 200)
            return StudentException(
                f"`{function}` raised {type_name}: {self._text(header.get('message'))}",
                type_name=type_name,
                traceback=self._text(header.get("traceback", ""), 1 << 16),
                output=output,
            )
        if kind == "function":
            detail = self._text(header.get("detail"), 300)
            return FunctionMissing(f"`{function}` {detail} in your module.", output=output)
        self._restart(worker)
        return WorkerCrashed(f"The process running `{function}` broke the grader's protocol.")

    def _text(self, value: Any, limit: int = 4000) -> str:
        """A string the worker sent, for a student: grader and private paths removed, capped."""
        return _clean(str(value), self.scrub)[:limit]

    def _advance_generators(self, args: tuple, kwargs: dict, states: Any, blobs: list) -> None:
        """Leave each Generator argument where the call left the worker's copy of it."""
        for where, tree in _list(states):
            target = (
                args[where]
                if type(where) is int and 0 <= where < len(args)
                else (kwargs.get(where) if type(where) is str else None)
            )
            if type(target) is not np.random.Generator:
                raise wire.ProtocolError("generator state for an argument that is none")
            state = wire.decode(tree, blobs, trusted_side=True)
            try:
                target.bit_generator.state = state
            except (TypeError, ValueError, KeyError, OverflowError) as e:
                raise wire.ProtocolError(f"bad generator state: {e}") from None


class _Worker:
    """One worker process (on Linux: its reaper) and the pipes to it."""

    def __init__(self, sandbox: Sandbox, folder: workdir.PrivateFolder, owner) -> None:
        self.imported: set[str] = set()
        self.info: dict = {}
        self.output_limit = sandbox.output_limit
        self.scrub = sandbox.scrub
        self._output = bytearray()
        self._dropped = 0
        self._frames = wire.FrameBuffer(MAX_FRAME)
        self._token = sandbox.token
        self._end: str | None = None
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
            "limits": sandbox._limits,
            "max_frame": MAX_FRAME,
            "max_array_bytes": MAX_ARRAY_BYTES,
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
        except (_Died, _TimedOut) as e:
            output = self.kill()
            raise SandboxBroken(f"the sandbox worker did not start ({e}): {output}") from None
        if not header.get("ready"):
            self.kill()
            raise SandboxBroken(f"the sandbox worker said {header!r} instead of ready")
        self.info = header
        self.take_output()

    def exchange(self, header: dict, blobs: list[bytes], timeout: float) -> tuple[dict, list]:
        """Send one request and wait for its answer; _TimedOut or _Died otherwise."""
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
            raise _Died(self._end)
        left = deadline - time.monotonic()
        if left <= 0:
            raise _TimedOut
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
            self._finish(_describe_end(self.proc.returncode))

    def _end_report(self, wait: float) -> str | None:
        """How the worker ended, as its reaper reports it (waiting up to `wait` s), or None."""
        if self._status_r is None:
            try:
                return _describe_end(self.proc.wait(wait))
            except subprocess.TimeoutExpired:
                return None
        if wait:
            poll = select.poll()
            poll.register(self._status_r, select.POLLIN)
            poll.poll(wait * 1000)
        try:
            line = os.read(self._status_r, 4096).split(b"\n")[0]
            end = wire.json.loads(line) if line else {}
        except (OSError, ValueError):
            return None
        if type(end) is not dict:
            return None
        code = end.get("exit", -end["signal"] if type(end.get("signal")) is int else None)
        return _describe_end(code) if type(code) is int else None

    def _finish(self, how: str) -> None:
        self._read_output()
        self._end = how
        raise _Died(how)

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
        text = _clean(self._output.decode("utf-8", errors="replace"), self.scrub)
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
            except _Died:
                pass
        return self._end is not None

    def kill(self) -> str:
        """SIGKILL the whole tree, reap it, close our pipes; return the output not yet taken."""
        limits.kill_tree(self.proc, self._token)
        output = self.take_output()
        for fd in (self._req_w, self._resp_r, self._out_r, self._status_r, self._lifeline_w):
            if fd is not None and fd >= 0:
                os.close(fd)
        self._req_w = self._resp_r = self._out_r = self._status_r = self._lifeline_w = -1
        self._end = self._end or "was stopped by the grader"
        return output


def _cleanup(state: dict, folder, original: Path, snapshot: workdir.Snapshot) -> None:
    """Kill the worker's tree, delete the private folder, put the original folder back as it
    was (run by `close()`, or at garbage collection or exit if close was forgotten)."""
    worker = state["worker"]
    if worker is not None and worker._req_w != -1:
        worker.kill()
    folder.remove()
    state["repaired"] = workdir.restore(original, snapshot)


def _describe_end(code: int) -> str:
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


def _scrubber(folder: workdir.PrivateFolder) -> list[tuple[str, str]]:
    """What `_clean` replaces: the private folder (its copy's files read as plain names), the
    grader's package and the Python installation."""
    pairs = []
    for root in {str(folder.root), os.path.realpath(folder.root)}:
        pairs += [(f"{root}{os.sep}submission{os.sep}", ""), (root, "<tmp>")]
    pairs.append((_GRADER_DIR, "<grader>"))
    return pairs + [(d, "<python>") for d in _PYTHON_DIRS]


def _clean(text: str, scrub: list[tuple[str, str]]) -> str:
    """`text` without the paths of `scrub` (grader and private paths, never for students)."""
    for path, replacement in scrub:
        text = text.replace(path, replacement)
    return text


def _list(value: Any) -> list:
    return value if type(value) is list else []


def _copy(error: Exception) -> Exception:
    return type(error)(str(error), traceback=error.traceback, output=error.output)


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / 2**20:.1f} MB"
    return f"{n / 2**10:.1f} KB" if n >= 1 << 10 else f"{n} bytes"


def _json(config: dict) -> str:
    return wire.json.dumps(config, separators=(",", ":"))
