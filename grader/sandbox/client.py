"""`Sandbox`: run a submission's functions in an isolated worker process and get data back.

    with Sandbox("path/to/submission", timeout=5) as sandbox:
        result = sandbox.call("batch_gradient", "gradients", X, y, w, b)
        result.value, result.mutated, result.output, result.seconds

Each module of the submission runs in a worker (`child.py`) of its own, so that what one
module does to its process (patching NumPy or builtins, filling sys.modules, a thread left
running) cannot change how another module's functions behave. A worker starts in the
background as soon as the sandbox exists, and the next one as soon as a module takes it (while
`modules` names modules still to come). A call that does not answer in time, or a worker that
dies, gets the whole process tree of that worker killed (SIGKILL) and a fresh worker for the
next call. Modules are imported on their first call; a module whose import failed, a function
that timed out once and one that crashed its worker twice fail fast afterwards, so that a
broken submission costs about one timeout per function, not per test.
"""

from __future__ import annotations

import os
import secrets
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grader import defaults
from grader.sandbox import arguments, confinement, limits, portable, scratch, wire, workdir
from grader.sandbox.errors import (
    CallTimeout,
    FunctionMissing,
    ImportFailed,
    ModuleMissing,
    StudentException,
    WorkerCrashed,
)
from grader.sandbox.portable import PortableWorkerProcess
from grader.sandbox.process import (
    Died,
    TimedOut,
    WorkerProcess,
    Zygote,
    clean,
    scrub_pairs,
    scrubber,
)

CRASHES_BEFORE_GIVING_UP = 2  # each crash costs a new worker; a function crashing twice is done


@dataclass(frozen=True)
class CallResult:
    """What one call gave back, all of it data the grader made from the worker's answer."""

    value: Any  # decoded return value, or Foreign for what could not cross as data
    #: The arguments the call changed in place, by position (int) or keyword (str): what the
    #: grader read back (`arguments.py`), plus what the worker itself said changed.
    mutated: tuple[int | str, ...]
    output: str  # stdout and stderr of the call, capped, with a note when cut
    seconds: float  # wall time seen by the grader, channel included


class Sandbox:
    """A private copy of a submission and the worker that runs it; use it as a context manager.

    `timeout` bounds each call (and each module's import) in wall seconds; `memory_mb` is the
    worker's address-space limit; `user` is who the worker becomes when the grader is root
    (None keeps root: only for debugging). `output_limit` caps what one call's output keeps.
    `modules` names the modules the caller will call (the course's), so that each one's worker
    can be started before it is needed; any other module works too, started on demand.
    `fork_server` forks those workers from one process that imports NumPy once: less CPU per
    submission (`grade batch`); a single `grade` starts them one after the other behind pytest's
    start-up instead, which answers as soon (measured). A `Zygote` as `fork_server`
    forks them from one that stays (a grading process of `grade batch` that forks a grader
    per submission): no interpreter to start at all.
    """

    def __init__(
        self,
        submission_dir: str | os.PathLike,
        *,
        timeout: float = defaults.TIMEOUT,
        memory_mb: int = defaults.MEMORY_MB,
        user: str | int | None = defaults.WORKER_USER,
        output_limit: int = 64 << 10,
        modules: tuple[str, ...] = (),
        fork_server: bool | Zygote = False,
    ) -> None:
        self.timeout = timeout
        self._fork_server = fork_server
        self.output_limit = output_limit
        self._original = Path(submission_dir).resolve()
        self.portable = portable.selected()
        self._owner = None if self.portable else limits.worker_user(user)
        #: Marks every process of this sandbox's workers: GD_SANDBOX=<token> in its environment
        #: (a zygote's forks show the zygote's environment: its token, then).
        self._zygote = fork_server if isinstance(fork_server, Zygote) else None
        self.token = self._zygote.token if self._zygote else secrets.token_hex(8)
        self._limits = limits.worker_limits(memory_mb=memory_mb, timeout=timeout)
        self._modules_present: set[str] = set()
        self._broken: dict[str, ImportFailed] = {}
        self._timed_out: dict[tuple[str, str], str] = {}
        self._crashes: dict[tuple[str, str], int] = {}
        self._expected = frozenset(modules)
        self._workers: dict[str, WorkerProcess] = {}  # module -> the worker that runs it
        self._spares: list[WorkerProcess] = []  # started, not yet given to a module
        self._last: WorkerProcess | None = None  # the worker of the latest call
        limits.harden_trusted_process()
        #: What was made readable by root only (as root without Landlock), to say so once.
        self.protected_now: list[Path] = []
        self._protected = not self.portable and not limits.filesystem_confined() and limits.AS_ROOT
        if self._protected:
            self.protected_now = limits.protect_reference()
        self._snapshot = workdir.take_snapshot(self._original)
        self._run = scratch.Run()
        self.scrub = scrubber(self._run.root)
        # What the finalizer needs, held apart so that it keeps no reference to self.
        self._state: dict = {"workers": [], "repaired": []}
        if not self.portable:
            limits.adopt_orphans(True)  # until the finalizer (close) says otherwise
        self._finalizer = weakref.finalize(
            self,
            _cleanup,
            self._state,
            self._run,
            self._original,
            self._snapshot,
            self._owner,
            not self.portable,
        )
        self._spares = self._start_all()

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
    def confinement(self) -> dict:
        """What confined this grading (the report's `confinement`), from what the workers that
        have started reported."""
        infos = [w.info for w in self._state["workers"] if w.info]
        found = confinement.describe(
            portable=self.portable, info=infos[-1] if infos else {}, protected=self._protected
        )
        if self.protected_now:
            found["made_private"] = [str(p) for p in self.protected_now]
        return found

    @property
    def worker_info(self) -> dict:
        """What a worker reported at startup (pid, uid, applied limits...): the one of the latest
        call, else the one waiting for the first call."""
        worker = self._last if self._last is not None and not self._last.killed else None
        if worker is None:
            self._spares = self._spares or [self._start()]
            worker = self._spares[0]
        worker.wait_ready()
        return worker.info

    def call(self, module: str, function: str, /, *args: Any, **kwargs: Any) -> CallResult:
        """Call `module.function(*args, **kwargs)` in the worker; raise errors.* on failure."""
        if not self._finalizer.alive:
            raise RuntimeError("this Sandbox is closed")
        if not (module.isidentifier() and function.isidentifier()):
            raise ValueError(f"not a module and function name: {module!r}, {function!r}")
        if module in self._broken:
            raise _copy(self._broken[module])
        # Issue 14: a notebook `<module>.ipynb` stands for its module (grader/notebooks/).
        present = {f"{module}.py", f"{module}.ipynb"} & self._snapshot.files.keys()
        if module not in self._modules_present and not present:
            raise ModuleMissing(_missing_message(self._original, module))
        if (module, function) in self._timed_out:
            raise CallTimeout(self._timed_out[module, function])
        if self._crashes.get((module, function), 0) >= CRASHES_BEFORE_GIVING_UP:
            raise WorkerCrashed(
                f"`{function}` made the process running it die {CRASHES_BEFORE_GIVING_UP} times, "
                "so the grader does not run it again. Run it yourself to see why."
            )
        placed = arguments.Placed(args, kwargs)
        tree, blobs = wire.encode((placed.args, placed.kwargs), untrusted=False)
        self._modules_present.add(module)
        worker = self._ready_worker(module)
        preamble = ""
        if module not in worker.imported:
            preamble = self._import(worker, module)
            worker = self._ready_worker(module)
        self._last = worker
        request = {"op": "call", "module": module, "function": function, "arguments": tree}
        try:
            request["mapped"] = placed.request(worker.arguments)
        except arguments.Unwritable:
            output = self._restart(worker)
            self._crashes[module, function] = self._crashes.get((module, function), 0) + 1
            raise WorkerCrashed(
                f"The grader could not hand `{function}` its arguments: your code changed the "
                "folder the grader uses for them (its permissions or its files), so the call was "
                "not made.",
                output=preamble + output,
            ) from None
        return self._call(worker, request, blobs, placed, preamble)

    def _call(
        self,
        worker: WorkerProcess,
        request: dict,
        blobs: list[bytes],
        placed: arguments.Placed,
        preamble: str,
    ) -> CallResult:
        """Send one call `request` to `worker` and make its answer a CallResult."""
        module, function = request["module"], request["function"]
        args, kwargs = placed.given_args, placed.given_kwargs
        start = time.perf_counter()
        try:
            header, answer_blobs = worker.exchange(request, blobs, self.timeout)
        except TimedOut:
            message = (
                f"`{function}` did not return within {self.timeout:g} s and was stopped. Look for "
                "a loop that never ends: does your stopping condition ever become true?"
            )
            self._timed_out[module, function] = (
                f"{message} (An earlier call of `{function}` already took too long, so the "
                "grader does not run it again.)"
            )
            raise CallTimeout(message, output=preamble + self._restart(worker)) from None
        except Died as died:
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
            mutated = _mutated(placed.changed(), header.get("mutated"), args, kwargs)
            self._advance_generators(args, kwargs, header.get("rng"), answer_blobs)
        except wire.ProtocolError as e:
            self._restart(worker)
            raise WorkerCrashed(
                f"The process running `{function}` sent an answer the grader cannot read ({e})."
            ) from None
        return CallResult(value, mutated, output, seconds)

    # --- the worker's lifecycle ----------------------------------------------------------------

    def _new_folder(self) -> workdir.PrivateFolder:
        """A fresh folder with a fresh copy of the submission, for one worker."""
        folder = workdir.PrivateFolder(self._snapshot, self._run.new_folder(), self._owner)
        self.scrub[:0] = scrub_pairs(folder)
        return folder

    def _start(self) -> WorkerProcess:
        """A new worker, starting in the background (`wait_ready` waits for it)."""
        kind = PortableWorkerProcess if self.portable else WorkerProcess
        worker = kind(
            self._new_folder(),
            owner=self._owner,
            token=self.token,
            rlimits=self._limits,
            output_limit=self.output_limit,
            scrub=self.scrub,
            refused=limits.REFUSED_IMPORTS,
        )
        workers = self._state["workers"]
        workers[:] = [w for w in workers if not w.killed] + [worker]
        return worker

    def _start_all(self) -> list[WorkerProcess]:
        """A worker for each module to come, all forked from one process that imports NumPy
        once (Linux); else one worker, the next one started when a module takes it."""
        if not self._fork_server or len(self._expected) < 2 or self.portable:
            return [self._start()]
        workers = WorkerProcess.start_group(
            [self._new_folder() for _ in self._expected],
            owner=self._owner,
            token=self.token,
            rlimits=self._limits,
            output_limit=self.output_limit,
            scrub=self.scrub,
            refused=limits.REFUSED_IMPORTS,
            zygote=self._zygote,  # used while alive; else a fork server of its own
        )
        self._state["workers"] += workers
        return workers

    def _ready_worker(self, module: str) -> WorkerProcess:
        """The worker of `module`: its own, or the spare one, or a new one; ready to answer."""
        worker = self._workers.get(module)
        if worker is None or worker.killed:
            worker = self._spares.pop(0) if self._spares else self._start()
            self._workers[module] = worker
            if not self._spares and self._expected - self._workers.keys():
                self._spares = [self._start()]  # for the next module, while this one works
        worker.wait_ready()
        if worker.ended():  # died between calls (e.g. a thread of the submission)
            self._restart(worker)
            return self._ready_worker(module)
        return worker

    def _restart(self, worker: WorkerProcess) -> str:
        """Kill `worker`'s tree and start a fresh worker in the background for the next call;
        return the output it left."""
        output = worker.kill()
        for module in [m for m, w in self._workers.items() if w is worker]:
            del self._workers[module]
        self._spares = self._spares or [self._start()]
        return output

    def _import(self, worker: WorkerProcess, module: str) -> str:
        """Import `module` in `worker`; on failure remember and raise ImportFailed."""
        what = f"Importing your {module}.py"
        try:
            header, _ = worker.exchange({"op": "import", "module": module}, [], self.timeout)
        except TimedOut:
            output = self._restart(worker)
            error = ImportFailed(
                f"{what} did not finish within {self.timeout:g} s. Does the module run a long "
                "computation or wait for something at import time?",
                output=output,
            )
        except Died as died:
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

    def _failure(
        self, worker: WorkerProcess, header: dict, function: str, output: str
    ) -> Exception:
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
        return clean(str(value), self.scrub)[:limit]

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


def _cleanup(
    state: dict,
    run: scratch.Run,
    original: Path,
    snapshot: workdir.Snapshot,
    owner: tuple | None,
    adopted: bool,
) -> None:
    """Kill the workers' trees, delete the scratch run, and, unless every worker that ran was
    confined by Landlock (then it could write nowhere else), put the original folder back as
    it was and delete what the workers' user left in /tmp and the like, if that user is the
    sandbox's own (run by `close()`, or at garbage collection or exit if close was forgotten).

    Confined, the folder is left alone: a file the student saved while grading ran is theirs.
    """
    for worker in state["workers"]:
        worker.kill()
    if adopted:
        limits.adopt_orphans(False)
    run.remove()
    infos = [w.info for w in state["workers"] if w.info]  # a worker that never said ready ran
    if infos and all(info.get("filesystem") == confinement.LANDLOCK for info in infos):
        return  # nothing of the student's; confined, the others could not write outside
    state["repaired"] = workdir.restore(original, snapshot)
    if owner is not None:
        state["swept"] = limits.remove_files_of(owner[0])


def _mutated(seen: list, said: Any, args: tuple, kwargs: dict) -> tuple[int | str, ...]:
    """What the grader saw change, then what the worker says changed besides (a shape set in
    place; an argument that was not mapped): its word can only add, never take away."""
    found = list(seen)
    for key in _list(said):
        valid = (type(key) is int and 0 <= key < len(args)) or (type(key) is str and key in kwargs)
        if valid and key not in found:
            found.append(key)
    return tuple(found)


def _list(value: Any) -> list:
    return value if type(value) is list else []


def _copy(error: Exception) -> Exception:
    return type(error)(str(error), traceback=error.traceback, output=error.output)


def _missing_message(folder: Path, module: str) -> str:
    """Why the module's file is not in the private copy: absent, a link, or not a plain file."""
    path = folder / f"{module}.py"
    if path.is_symlink():
        return (
            f"{module}.py is a symbolic link; the grader reads only plain files. Put the file "
            "itself in the submission folder."
        )
    if path.exists() and not path.is_file():
        return f"{module}.py is not a plain file; the grader reads only plain files."
    return f"The submission has no file {module}.py."
