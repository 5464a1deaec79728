"""A worker confines itself before the first line of student code runs.

In this order, because each step needs what the one before still allows: resource limits;
on Linux no_new_privs, and (as root) network and IPC namespaces of its own and a mount
namespace where /tmp, /var/tmp and /dev/shm are its own (`mounts.py`); the drop to the
worker's uid (as root); the seccomp filter (`seccomp.py`); Landlock (`landlock.py`), which
leaves it its own folder, the standard library and NumPy; then the working folder and the
import guard (`imports.py`). The portable sandbox (Windows, macOS, or `GRADE_SANDBOX=portable`)
does only what every system offers: the limits that exist, the folder and the import guard.
Returns what was applied, which the worker reports to the grader and the report records.
"""

from __future__ import annotations

import os
import sys


def confine(config: dict, ancestors: set[int]) -> dict:
    """Confine this process as `config` says (see the module docstring); returns what held."""
    linux = sys.platform == "linux" and not config.get("portable")
    applied: dict = {"limits": set_limits(config["limits"], config.get("uid"))}
    applied.update(dropped=False, no_network=False, own_ipc=False, private_tmp=False,
                   seccomp=False, filesystem=None, landlock_abi=0)  # fmt: skip
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    target_uid = config.get("uid")
    from _gd_worker import imports

    # What Landlock will leave readable, found now: after the uid drop the Python installation
    # may no longer be readable (sysconfig, for one, imports lazily).
    guard_roots = imports.numpy_folders()
    needed = []  # what it reads: Landlock's rules, and what a private /tmp must keep
    if linux:
        needed = imports.standard_library_entries() + guard_roots + loaded_libraries()
        needed.append(os.path.realpath(sys.executable))
    # Its own /proc entry (its descriptors, its limits): nobody else's.
    readable = needed + [f"/proc/{os.getpid()}"] if needed and config.get("landlock", True) else []
    stdlib = imports.standard_library()
    # Every module of ours it will need, imported now: the grader's package (in a venv in /tmp,
    # say) is neither in Landlock's rules nor in a private /tmp.
    from _gd_worker import mounts, seccomp
    from _gd_worker.landlock import Ruleset
    from _gd_worker.stdlib import Folders

    # The rules are made now too: after the uid drop the files may not even be opened.
    dropbox = [config["dropbox"]] if config.get("dropbox") else []
    try:
        rules = Ruleset(readable, [config["folder"], os.devnull], dropbox) if readable else None
    except OSError:
        rules = None

    installed = imports.installed_elsewhere(guard_roots + stdlib + [config["workdir"]])
    # Opened while this user may: what is imported later comes thence (lib-dynload included).
    inside = [p for p in sys.path if any(os.path.realpath(p).startswith(s) for s in stdlib)]
    folders = Folders(stdlib + [os.path.realpath(p) for p in inside if os.path.isdir(p)])
    if linux:
        libc = _libc()
        PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
        CLONE_NEWNET, CLONE_NEWIPC = 0x40000000, 0x08000000
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # the grader reads our /proc entries
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)  # no setuid program gives privileges back
        # A network namespace of our own: no network, no abstract sockets of the host; and
        # System V IPC and POSIX message queues of our own. Needs root (and a kernel that
        # allows it); seccomp and Landlock cover the same ground without.
        applied["no_network"] = as_root and libc.unshare(CLONE_NEWNET) == 0
        applied["own_ipc"] = as_root and libc.unshare(CLONE_NEWIPC) == 0
        if as_root:  # /tmp, /var/tmp and /dev/shm of its own, but for what it needs there
            keep = needed + [os.path.realpath(p) for p in (config["folder"], *dropbox)]
            applied["private_tmp"] = mounts.make_private(keep)
    if as_root and target_uid is not None and hasattr(os, "setuid"):
        os.setgroups([])
        os.setgid(config["gid"])
        os.setuid(target_uid)
        if os.getuid() != target_uid or os.geteuid() != target_uid:
            raise SystemExit("could not drop privileges")
        applied["dropped"] = True
    workdir = config["workdir"]
    if linux:
        PR_SET_PDEATHSIG = 1  # set after the uid change, which clears it
        _libc().prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
        applied["seccomp"] = seccomp.install(ancestors | set(config.get("protect", ())))
        if rules is not None:
            abi = rules.enforce()
            applied["landlock_abi"] = abi
            applied["filesystem"] = "landlock" if abi else None
    if hasattr(os, "umask"):
        os.umask(0o077)
    os.chdir(workdir)
    for stream in (sys.stdout, sys.stderr):  # as on a terminal, so that the two interleave right
        stream.reconfigure(line_buffering=True)
    sys.dont_write_bytecode = True  # the private copy holds the submission's files and no more
    sys.path.append(workdir)
    imports.install_guard(tuple(config["refused"]), guard_roots + [workdir], stdlib,
                          config["keep_modules"], folders, installed)  # fmt: skip
    applied["uid"] = os.getuid() if hasattr(os, "getuid") else None
    return applied


def set_limits(limits: dict, uid: int | None) -> list[str]:
    """The rlimits of `limits` that this system has (macOS refuses RLIMIT_AS, Windows has
    none); returns the names applied. The grader's timeout holds either way."""
    import signal

    try:
        import resource
    except ImportError:  # Windows
        return []
    as_root = os.geteuid() == 0
    user = uid if as_root and uid is not None else os.getuid()
    nproc = None
    if os.path.isdir("/proc/self/task"):
        from _gd_worker import proctree

        nproc = proctree.count_user_processes(user) + limits["nproc_extra"]
    wanted = {
        "RLIMIT_AS": limits["memory_bytes"],
        "RLIMIT_FSIZE": limits["file_bytes"],
        "RLIMIT_CORE": 0,
        "RLIMIT_CPU": limits["cpu_seconds"],
        "RLIMIT_NPROC": nproc,
    }
    applied = []
    for name, value in wanted.items():
        which = getattr(resource, name, None)
        if which is None or value is None:
            continue
        try:
            _, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                value = min(value, hard)
            resource.setrlimit(which, (value, value))
            applied.append(name)
        except (ValueError, OSError):
            pass
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large file is an OSError, not a kill
    return applied


def loaded_libraries() -> list[str]:
    """The shared libraries this process has loaded (Linux), file by file: the folders that
    hold them may hold anything (an instructor's site-packages below a Python's lib/)."""
    files = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                fields = line.split(maxsplit=5)
                path = fields[5].strip() if len(fields) == 6 else ""
                if path.startswith("/") and ".so" in os.path.basename(path):
                    files.add(path)
    except OSError:
        pass
    return sorted(files)


def _libc():
    import ctypes

    return ctypes.CDLL(None)
