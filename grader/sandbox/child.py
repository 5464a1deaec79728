"""The worker: imports a submission's modules and runs calls on request. Untrusted territory.

Started by `client.Sandbox` as `python -I -S child.py CONFIG_JSON`, never imported by the grader.
It imports NumPy and the standard-library modules students use first, applies resource limits,
drops root privileges (the interpreter lives where the unprivileged user cannot read, so imports
must happen before), and only then lets the submission's folder onto `sys.path`. Requests and
answers are frames of `wire.py`; the student's stdout and stderr (file descriptors 1 and 2) go
to a pipe the grader drains.

On Linux the process forks once before any student code runs: the parent stays behind as the
*reaper*, a child subreaper that inherits every process the submission detaches, reaps them, and
tells the grader how the worker ended. It never runs student code.
"""

from __future__ import annotations

import json
import os
import sys

# Common standard-library modules a submission may use: they must be loaded before privileges
# are dropped, because the unprivileged user cannot read the standard library afterwards.
PRELOAD = (
    "abc argparse array bisect cmath collections collections.abc contextlib copy csv ctypes "
    "dataclasses datetime decimal enum errno fractions functools gc glob heapq importlib "
    "importlib.util inspect io itertools json linecache locale math numbers operator pathlib "
    "pprint queue random re select shutil signal statistics string struct subprocess tempfile "
    "textwrap threading time tokenize traceback types typing warnings weakref"
).split()
PRELOAD_NUMPY = ("numpy", "numpy.random", "numpy.linalg", "numpy.lib.format")
NOT_FOR_SUBMISSIONS = ("grader", "solutions", "exercises", "pytest", "_pytest", "pytest_jsonreport")
#: The only modules of NOT_FOR_SUBMISSIONS a submission may import (see load_datasets).
ALLOWED: dict[str, object] = {}
LENIENT_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
HERE = os.path.dirname(os.path.abspath(__file__))
TRACEBACK_LIMIT = 16 << 10


def main() -> None:
    config = json.loads(sys.argv[1])
    zygote = config.pop("zygote", None)
    members = config.pop("members", None)
    if members is None and zygote is None:
        config["fds"] = renumber(config["fds"])
        sys.argv[1] = json.dumps(config)  # what the worker runs with, for whoever looks
    # Python < 3.11 puts this script's folder first on sys.path even under -I: the grader's own
    # sandbox modules are not for submissions.
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != HERE]
    sys.path.append(config["numpy_path"])
    for name in PRELOAD + list(PRELOAD_NUMPY):
        try:
            __import__(name)
        except ImportError:
            pass
    load_datasets()
    wire = load_sibling("wire")
    proctree = load_sibling("proctree")
    if zygote is not None:
        config = serve_requests(zygote)  # returns only in a fork, with that request's config
        members = config.pop("members")
    if members is not None:
        config["fds"] = renumber(fork_member(members, config.pop("pids")))
        sys.argv[1] = json.dumps(config)
    fds = config["fds"]
    if sys.platform == "linux":
        set_child_subreaper()
        pid = os.fork()
        if pid:
            os.close(fds["request"])
            os.close(fds["response"])
            reaper(pid, fds["status"], fds["lifeline"], proctree)
    os.close(fds["status"])
    os.close(fds["lifeline"])
    report = confine(config, proctree)
    Worker(config, wire, report).serve()


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


def fork_member(members: list[dict], pids_fd: int) -> dict:
    """The fork server: fork one process per member, each to become a worker as if started
    alone; tell the grader their pids; exit. Returns (in the member) the member's own pipes.

    Started with the pipes of several workers (`process.WorkerProcess.start_group`), this
    process has only imported the standard library and NumPy, and never runs student code. Each
    member starts a session of its own, keeps only its own pipes (its output on 1 and 2), and
    then goes on exactly like a worker started alone: reaper, limits, privilege drop. Once this
    process exits, the members are re-parented to the grader (a child subreaper).
    """
    pids = []
    for fds in members:
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
                return mine
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


def load_sibling(name: str):
    """Load `wire.py`/`proctree.py` beside this file as a standalone module (not via `grader`)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_gd_sandbox_{name}", f"{HERE}/{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def load_datasets() -> None:
    """Make `grader.datasets`, and nothing else of the grader, importable by submissions.

    The stubs' examples use the course's data (`from grader.datasets import toy_regression`),
    and that module is plain NumPy. It is loaded by path now, before privileges drop, under a
    stand-in `grader` package with no search path: every other `grader.*` import still fails.
    """
    import importlib.util
    import types

    path = os.path.join(os.path.dirname(HERE), "datasets.py")
    if not os.path.isfile(path):
        return
    package = types.ModuleType("grader", "Only grader.datasets is available to submissions.")
    package.__path__ = []
    spec = importlib.util.spec_from_file_location("grader.datasets", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["grader"], sys.modules["grader.datasets"] = package, module
    spec.loader.exec_module(module)
    package.datasets = module
    ALLOWED.update({"grader": package, "grader.datasets": module})


# --- the reaper --------------------------------------------------------------------------------


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


# --- confinement -------------------------------------------------------------------------------


def confine(config: dict, proctree) -> dict:
    """Resource limits, privilege drop, working folder, import guards. Returns what was applied."""
    import signal

    applied: dict = {
        "limits": [],
        "dropped": False,
        "no_network": False,
        "own_ipc": False,
        "seccomp": False,
    }
    try:
        import resource
    except ImportError:  # Windows
        resource = None
    limits = config["limits"]
    target_uid = config.get("uid")
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    uid = target_uid if as_root and target_uid is not None else os.getuid() if resource else None
    if resource is not None:
        nproc = None
        if uid is not None and proctree.HAVE_PROC:
            nproc = proctree.count_user_processes(uid) + limits["nproc_extra"]
        wanted = {
            "RLIMIT_AS": limits["memory_bytes"],
            "RLIMIT_FSIZE": limits["file_bytes"],
            "RLIMIT_CORE": 0,
            "RLIMIT_CPU": limits["cpu_seconds"],
            "RLIMIT_NPROC": nproc,
        }
        for name, value in wanted.items():
            which = getattr(resource, name, None)
            if which is None or value is None:
                continue
            try:
                _, hard = resource.getrlimit(which)
                if hard != resource.RLIM_INFINITY:
                    value = min(value, hard)
                resource.setrlimit(which, (value, value))
                applied["limits"].append(name)
            except (ValueError, OSError):
                pass  # e.g. macOS refuses RLIMIT_AS; the grader's timeout still holds
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large file is an OSError, not a kill
    if sys.platform == "linux":
        import ctypes

        libc = ctypes.CDLL(None)
        PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
        CLONE_NEWNET, CLONE_NEWIPC = 0x40000000, 0x08000000
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # the grader reads our /proc entries
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # no setuid program gives privileges back
        # A network namespace of our own: no network, no abstract sockets of the host. Needs
        # root (and a kernel that allows it); otherwise the network stays as it is.
        applied["no_network"] = as_root and libc.unshare(CLONE_NEWNET) == 0
        # And System V IPC and POSIX message queues of our own, gone with the worker's tree.
        applied["own_ipc"] = as_root and libc.unshare(CLONE_NEWIPC) == 0
    if as_root and target_uid is not None:
        os.setgroups([])
        os.setgid(config["gid"])
        os.setuid(target_uid)
        if os.getuid() != target_uid or os.geteuid() != target_uid:
            raise SystemExit("could not drop privileges")
        applied["dropped"] = True
    if sys.platform == "linux":
        PR_SET_PDEATHSIG = 1  # set after the uid change, which clears it
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
        # The grader itself too: when a zygote forked us, it is not among our ancestors.
        protected = ancestors(proctree) | set(config.get("protect", ()))
        applied["seccomp"] = restrict_syscalls(protected)
    for stream in (sys.stdout, sys.stderr):  # as on a terminal, so that the two interleave right
        stream.reconfigure(line_buffering=True)
    sys.dont_write_bytecode = True  # the private copy holds the submission's files and no more
    os.umask(0o077)
    os.chdir(config["workdir"])
    sys.path.append(config["workdir"])
    sys.meta_path.insert(0, Refuse(NOT_FOR_SUBMISSIONS))
    sys.meta_path.append(Unavailable())
    for name in [m for m in sys.modules if m.partition(".")[0] in NOT_FOR_SUBMISSIONS]:
        if sys.modules[name] is not ALLOWED.get(name):  # keep load_datasets' two modules
            del sys.modules[name]
    import importlib

    importlib.invalidate_caches()
    applied["uid"] = os.getuid() if hasattr(os, "getuid") else None
    return applied


def ancestors(proctree) -> set[int]:
    """Our parent (the reaper), the grader, and everything above them: what we must not signal."""
    table, found = proctree.processes(), set()
    pid = os.getppid()
    while pid > 1 and pid not in found:
        found.add(pid)
        pid = table.get(pid, (0,))[0]
    return found


# Syscalls a submission never needs: tracing, reading or writing another process's memory,
# signals through pidfds (a /proc/<pid> folder is one). And those that signal a process named
# by the first argument, refused when it names one of our ancestors (or -1: everybody). And
# fcntl and ioctl, whose commands that name who gets a descriptor's signals (F_SETOWN,
# F_SETOWN_EX, F_SETSIG; FIOSETOWN, SIOCSPGRP) would let a write to a pipe signal anybody.
_SYSCALLS = {  # machine: (audit arch, always refused, refused for ancestors, fcntl, ioctl)
    "x86_64": (0xC000003E, (101, 310, 311, 424, 438, 200), (62, 234, 129, 297, 434), 72, 16),
    "aarch64": (0xC00000B7, (117, 270, 271, 424, 438, 130), (129, 131, 138, 240, 434), 25, 29),
}
_SIGNAL_OWNER_COMMANDS = {"fcntl": (8, 10, 15), "ioctl": (0x8901, 0x8902)}


def restrict_syscalls(protected: set[int]) -> bool:
    """A seccomp filter (no root needed, and no way back) on this process and all it starts.

    Refused with EPERM: ptrace, process_vm_readv/writev, pidfd_send_signal, pidfd_getfd and
    tkill always; kill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo and pidfd_open when they
    name `protected` processes (as pid or process group) or -1; fcntl F_SETOWN, F_SETOWN_EX and
    F_SETSIG and ioctl FIOSETOWN and SIOCSPGRP always (they would aim a descriptor's signals).
    As root that is defence in depth (another uid may not be signalled anyway); as a normal
    user it is what keeps the submission from killing or freezing the grader and its parents.
    Calls of another ABI (32-bit, x32) are refused whole. Returns whether the filter is in place.
    """
    import ctypes
    import platform

    known = _SYSCALLS.get(platform.machine())
    if known is None:
        return False
    arch, refused, checked, fcntl_nr, ioctl_nr = known
    targets = {0xFFFFFFFF}
    for pid in protected:
        targets |= {pid, -pid & 0xFFFFFFFF}
        try:
            targets.add(-os.getpgid(pid) & 0xFFFFFFFF)
        except OSError:
            pass
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    program = [("ld", 4), ("jeq", arch, None, "other_abi"), ("ld", 0),
               ("jge", 0x40000000, "other_abi", None)]  # fmt: skip
    program += [("jeq", nr, "refuse", None) for nr in refused]
    program += [("jeq", nr, "check", None) for nr in checked]
    program += [("jeq", fcntl_nr, "fcntl", None), ("jeq", ioctl_nr, "ioctl", None)]
    program += [("ret", allow), ("label", "check"), ("ld", 16)]
    program += [("jeq", target, "refuse", None) for target in sorted(targets)]
    for name in ("fcntl", "ioctl"):  # the command: the second argument's low 32 bits
        program += [("ret", allow), ("label", name), ("ld", 24)]
        program += [("jeq", command, "refuse", None) for command in _SIGNAL_OWNER_COMMANDS[name]]
    program += [("ret", allow), ("label", "refuse"), ("ret", eperm)]
    program += [("label", "other_abi"), ("ret", enosys)]
    code = [step for step in program if step[0] != "label"]
    labels, at = {}, 0
    for step in program:
        if step[0] == "label":
            labels[step[1]] = at
        else:
            at += 1

    class Filter(ctypes.Structure):
        _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                    ("k", ctypes.c_uint32)]  # fmt: skip

    class Program(ctypes.Structure):
        _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(Filter))]

    filters = (Filter * len(code))()
    for i, step in enumerate(code):
        if step[0] == "ld":  # BPF_LD | BPF_W | BPF_ABS
            filters[i] = Filter(0x20, 0, 0, step[1])
        elif step[0] == "ret":  # BPF_RET | BPF_K
            filters[i] = Filter(0x06, 0, 0, step[1])
        else:  # BPF_JMP | BPF_JEQ | BPF_K, or BPF_JGE
            jump = {"jeq": 0x15, "jge": 0x35}[step[0]]
            jt, jf = (0 if label is None else labels[label] - i - 1 for label in step[2:])
            filters[i] = Filter(jump, jt, jf, step[1])
    prog = Program(len(code), filters)
    PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0


class Refuse:
    """Meta-path finder: the grader's own packages and the tests are not for submissions."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = frozenset(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(
                f"module {fullname!r} is not available to submissions", name=fullname
            )
        return None


class Unavailable:
    """Meta-path finder of last resort: say plainly why a standard-library import failed."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in sys.stdlib_module_names:
            raise ModuleNotFoundError(
                f"module {fullname!r} is not available in the grading sandbox; NumPy and the "
                "common standard-library modules (math, itertools, collections, ...) are",
                name=fullname,
            )
        return None


# --- serving -----------------------------------------------------------------------------------


class Worker:
    """The request loop: `import` a student module, `call` one of its functions."""

    def __init__(self, config: dict, wire, report: dict) -> None:
        import numpy as np

        self.np = np
        self.wire = wire
        self.request_fd = config["fds"]["request"]
        self.response_fd = config["fds"]["response"]
        self.max_frame = config["max_frame"]
        self.max_value_bytes = config["max_value_bytes"]
        self.modules: dict = {}
        self.pid = os.getpid()
        self.ours = {os.path.abspath(__file__), wire.__file__}
        try:
            import ctypes

            self.libc = ctypes.CDLL(None)
        except (ImportError, OSError):
            self.libc = None
        self.send({"ready": True, "pid": os.getpid(), **report})

    def serve(self) -> None:
        read = lambda n: os.read(self.request_fd, n)  # noqa: E731
        while True:
            try:
                header, blobs = self.wire.read_frame(read, self.max_frame)
            except (EOFError, OSError):
                os._exit(0)  # the grader has gone; skip the submission's atexit handlers
            op = header.get("op")
            if op == "import":
                answer, out_blobs = self.import_module(header["module"]), []
            elif op == "call":
                answer, out_blobs = self.call(header, blobs)
            else:
                answer, out_blobs = {"ok": False, "error": "protocol", "detail": repr(op)}, []
            if os.getpid() != self.pid:
                os._exit(0)  # a process the submission forked came back here: it must not answer
            self.flush()
            self.send(answer, out_blobs)

    def send(self, header: dict, blobs: list = ()) -> None:
        frame = memoryview(self.wire.pack(header, blobs))
        while frame:
            frame = frame[os.write(self.response_fd, frame) :]

    def flush(self) -> None:
        """Push the call's output into the pipe: Python's buffers, and C's (printf via ctypes)."""
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - the submission replaced or closed them
                pass
        if self.libc is not None:
            self.libc.fflush(None)

    def import_module(self, name: str) -> dict:
        import importlib

        try:
            self.modules[name] = importlib.import_module(name)
        except BaseException as e:  # noqa: BLE001 - sys.exit at import is the student's problem too
            return {"ok": False, "error": "import", **self.describe(e)}
        return {"ok": True}

    def call(self, header: dict, blobs: list) -> tuple[dict, list]:
        import warnings

        np, wire = self.np, self.wire
        module = self.modules.get(header["module"])
        name = header["function"]
        if module is None:
            return {"ok": False, "error": "protocol", "detail": "module not imported"}, []
        try:
            func = getattr(module, name, None)
            usable = callable(func)
        except BaseException as e:  # noqa: BLE001 - a module __getattr__ of the student's
            return {"ok": False, "error": "raised", **self.describe(e)}, []
        if not usable:
            detail = (
                "is not defined"
                if func is None
                else (f"is not a function (it is {wire.type_name(func)})")
            )
            return {"ok": False, "error": "function", "detail": detail}, []
        try:
            args, kwargs = wire.decode(header["arguments"], blobs, trusted_side=False)
        except wire.ProtocolError as e:
            return {"ok": False, "error": "protocol", "detail": str(e)}, []
        params = self.parameter_names(func)
        named = [
            (i, params[i] if i < len(params) else f"argument {i + 1}", a)
            for i, a in enumerate(args)
        ]
        named += [(k, k, a) for k, a in kwargs.items()]
        arrays = [(label, a, a.copy()) for _, label, a in named if type(a) is np.ndarray]
        rngs = [(key, a) for key, _, a in named if type(a) is np.random.Generator]
        try:
            with (
                warnings.catch_warnings(),
                np.errstate(divide="warn", over="warn", invalid="warn", under="ignore"),
            ):
                warnings.simplefilter("error")
                for category in LENIENT_WARNINGS:  # about future versions, not about the result
                    warnings.simplefilter("default", category)
                value = func(*args, **kwargs)
        except BaseException as e:  # noqa: BLE001
            return {"ok": False, "error": "raised", **self.describe(e)}, []
        mutated = [label for label, a, before in arrays if changed(a, before)]
        encoder = wire.Encoder(untrusted=True, max_bytes=self.max_value_bytes)
        try:
            tree = encoder.encode(value)
            states = [[key, encoder.encode(g.bit_generator.state)] for key, g in rngs]
        except Exception as e:  # noqa: BLE001 - e.g. an array whose data cannot be read
            return {"ok": False, "error": "raised", **self.describe(e)}, []
        answer = {"ok": True, "value": tree, "mutated": mutated, "rng": states}
        return answer, encoder.blobs

    @staticmethod
    def parameter_names(func) -> tuple:
        try:
            code = func.__code__
            names = code.co_varnames[: code.co_argcount]
            return tuple(n if type(n) is str else "?" for n in names)
        except BaseException:  # noqa: BLE001 - a builtin, a partial, an object with tricks
            return ()

    def describe(self, e: BaseException) -> dict:
        """Type, message and the student's traceback of an exception, without our frames."""
        import traceback

        if isinstance(e, SystemExit):
            message = f"sys.exit({e.code!r}) was called" if e.code is not None else "sys.exit()"
        else:
            message = safe_str(e)
        try:
            te = traceback.TracebackException.from_exception(e, capture_locals=False)
            self.drop_our_frames(te)
            text = "".join(te.format())
        except BaseException:  # noqa: BLE001 - a __str__ that raises, a broken traceback
            text = ""
        if len(text) > TRACEBACK_LIMIT:
            half = TRACEBACK_LIMIT // 2
            text = text[:half] + "\n[... traceback shortened ...]\n" + text[-half:]
        return {"type": self.wire.type_name(e), "message": message[:4000], "traceback": text}

    def drop_our_frames(self, te) -> None:
        import traceback

        seen = set()
        while te is not None and id(te) not in seen:
            seen.add(id(te))
            frames = [f for f in te.stack if not self.is_ours(f.filename)]
            te.stack = traceback.StackSummary.from_list(frames)
            te = te.__cause__ or te.__context__

    def is_ours(self, filename: str) -> bool:
        return (
            filename in self.ours
            or filename.startswith("<frozen importlib")
            or filename.endswith(os.path.join("importlib", "__init__.py"))
        )


def changed(a, before) -> bool:
    """Whether an argument array differs from its copy taken before the call, bit for bit."""
    return a.shape != before.shape or a.dtype != before.dtype or a.tobytes() != before.tobytes()


def safe_str(e: BaseException) -> str:
    try:
        text = str(e)
        return text if type(text) is str else "<unprintable>"
    except BaseException:  # noqa: BLE001
        return "<the exception's message could not be printed>"


if __name__ == "__main__":
    main()
