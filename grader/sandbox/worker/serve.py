"""The request loop of a confined worker: `import` a student module, `call` one of its functions.

Requests and answers are frames of `wire.py` (JSON and `.npy`, never pickle). What a call
printed goes to the worker's file descriptors 1 and 2, which the grader drains.
"""

from __future__ import annotations

import os
import sys

LENIENT_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
TRACEBACK_LIMIT = 16 << 10


class Worker:
    """The request loop: `import` a student module, `call` one of its functions."""

    def __init__(self, config: dict, wire, report: dict) -> None:
        import mmap

        import numpy as np

        self.np = np
        self.mmap = mmap
        self.wire = wire
        self.request_fd = config["fds"]["request"]
        self.response_fd = config["fds"]["response"]
        self.max_frame = config["max_frame"]
        self.max_value_bytes = config["max_value_bytes"]
        self.modules: dict = {}
        self.pid = os.getpid()
        self.ours = {os.path.abspath(__file__), wire.__file__, os.path.abspath(sys.argv[0])}
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
            self.mark(header.get("sync"))
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

    def mark(self, nonce) -> None:
        """The portable sandbox's marker after a request's output (`wire.SYNC_MARKER`): its
        output pipe is read by another thread than its answers (grader/sandbox/portable.py)."""
        if type(nonce) is str and nonce.isalnum():
            try:
                os.write(2, self.wire.SYNC_MARKER % nonce.encode())
            except OSError:  # standard error closed by the submission: the grader stops waiting
                pass

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
            shared = self.map_arguments(header.get("mapped"))
            args, kwargs = wire.decode(
                header["arguments"], blobs, trusted_side=False, mapped=shared
            )
        except (wire.ProtocolError, OSError, ValueError, TypeError, KeyError) as e:
            return {"ok": False, "error": "protocol", "detail": str(e)}, []
        named = [*enumerate(args), *kwargs.items()]
        # The values of mapped arrays the grader reads back itself: only their shape and dtype
        # are compared here (a copy of each would be the same work twice on every call).
        on_file = shared.obj if shared is not None else None
        arrays = [(key, a, (a.shape, a.dtype) if on_file is not None and a.base is on_file
                   else a.copy()) for key, a in named if type(a) is np.ndarray]  # fmt: skip
        rngs = [(key, a) for key, a in named if type(a) is np.random.Generator]
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
        # Only our word, which the submission can change: the grader reads the mapped arrays
        # back itself (grader/sandbox/arguments.py) and takes from this list only additions.
        mutated = [key for key, a, before in arrays if changed(a, before)]
        encoder = wire.Encoder(untrusted=True, max_bytes=self.max_value_bytes)
        try:
            tree = encoder.encode(value)
            states = [[key, encoder.encode(g.bit_generator.state)] for key, g in rngs]
        except Exception as e:  # noqa: BLE001 - e.g. an array whose data cannot be read
            return {"ok": False, "error": "raised", **self.describe(e)}, []
        answer = {"ok": True, "value": tree, "mutated": mutated, "rng": states}
        return answer, encoder.blobs

    def map_arguments(self, where):
        """The call's array arguments: the file the grader wrote them to, mapped writable, from
        where this call's start (None when it has none). The arrays the function gets are on
        this memory, which the grader reads back."""
        if where is None:
            return None
        fd = os.open(where["path"], os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            return memoryview(self.mmap.mmap(fd, 0))[where["base"] :]
        finally:
            os.close(fd)

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
    """Whether an argument array differs from its copy taken before the call, bit for bit (or,
    `before` a (shape, dtype) pair, in its shape or dtype)."""
    if type(before) is tuple:
        return (a.shape, a.dtype) != before
    return a.shape != before.shape or a.dtype != before.dtype or a.tobytes() != before.tobytes()


def safe_str(e: BaseException) -> str:
    try:
        text = str(e)
        return text if type(text) is str else "<unprintable>"
    except BaseException:  # noqa: BLE001
        return "<the exception's message could not be printed>"
