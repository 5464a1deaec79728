"""The worker program (`python -I -S child.py CONFIG_JSON`), started by the grader: untrusted.

It never imports the grader: it loads its own package (`worker/`, as `_gd_worker`) and the two
modules both sides share (`wire.py`, `proctree.py`) by path, imports NumPy and the common
standard library, and then becomes one of three programs (see `worker/__init__.py`):

- a worker started alone (`grade`): on Linux it forks once, the parent staying behind as the
  reaper; the child confines itself and serves requests;
- a fork server (a group of workers) or a zygote (`grade batch`), which fork such workers.

On Windows and macOS, and with `GRADE_SANDBOX=portable`, the grader starts the portable
worker: no reaper, no fork, the channel on its standard input and output (so that it works the
same on every system), and the confinement every system offers (`worker/confine.py`).
"""

from __future__ import annotations

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    config = json.loads(sys.argv[1])
    # Python < 3.11 puts this script's folder first on sys.path even under -I: the grader's own
    # sandbox modules are not for submissions.
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != HERE]
    load_package()
    from _gd_worker import imports

    imports.preload(config["numpy_path"])
    load_shared_modules()
    keep: dict = {}
    imports.load_datasets(os.path.dirname(HERE), keep)
    if config.get("portable"):
        config["fds"] = channel_on_standard_streams()
        return serve(config, keep, ancestors=set())
    from _gd_worker import zygote

    group = config.pop("members", None)
    if config.get("zygote") is not None:
        config = zygote.serve_requests(config["zygote"])  # returns in a fork, with its request
        group = config.pop("members")
    if group is None:
        config["fds"] = zygote.renumber(config["fds"])
    else:
        fds, index = zygote.fork_member(group, config.pop("pids"))
        config["fds"] = zygote.renumber(fds)
        config["folder"], config["workdir"] = config["folders"][index]
    sys.argv[1] = json.dumps(config)  # what this worker runs with, for whoever looks
    fds = config["fds"]
    if sys.platform == "linux":
        from _gd_worker import proctree, reaper

        reaper.set_child_subreaper()
        pid = os.fork()
        if pid:
            os.close(fds["request"])
            os.close(fds["response"])
            reaper.reaper(pid, fds["status"], fds["lifeline"], proctree)
    os.close(fds["status"])
    os.close(fds["lifeline"])
    serve(config, keep, ancestors=ancestors())


def serve(config: dict, keep: dict, *, ancestors: set[int]) -> None:
    """Confine this process, then answer requests until the grader goes."""
    from _gd_worker import confine, wire
    from _gd_worker.serve import Worker

    home = os.path.join(config["folder"], "home")
    os.environ["HOME"] = os.environ["TMPDIR"] = home
    config["keep_modules"] = keep
    report = confine.confine(config, ancestors)
    Worker(config, wire, report).serve()


def load_package() -> None:
    """`worker/` as the package `_gd_worker`."""
    import types

    package = types.ModuleType("_gd_worker", "The sandbox's worker side (grader/sandbox/worker).")
    package.__path__ = [os.path.join(HERE, "worker")]
    sys.modules["_gd_worker"] = package


def load_shared_modules() -> None:
    """`wire.py` and `proctree.py`, which both sides use, as `_gd_worker.wire` and `.proctree`
    (after NumPy is importable: wire needs it)."""
    import importlib.util

    package = sys.modules["_gd_worker"]
    for name in ("wire", "proctree"):
        spec = importlib.util.spec_from_file_location(f"_gd_worker.{name}", f"{HERE}/{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        setattr(package, name, module)


def channel_on_standard_streams() -> dict:
    """The portable worker's channel: requests on standard input, answers on standard output
    (moved out of the way first); what the submission prints goes to standard error's pipe."""
    request, response = os.dup(0), os.dup(1)  # not inherited by what the submission starts
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    if hasattr(os, "set_inheritable"):
        for fd in (request, response):
            os.set_inheritable(fd, False)
    return {"request": request, "response": response, "status": None, "lifeline": None}


def ancestors() -> set[int]:
    """Our parent (the reaper), the grader, and everything above them: what we must not signal."""
    from _gd_worker import proctree

    table, found = proctree.processes(), set()
    pid = os.getppid()
    while pid > 1 and pid not in found:
        found.add(pid)
        pid = table.get(pid, (0,))[0]
    return found


if __name__ == "__main__":
    main()
