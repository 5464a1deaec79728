"""Filesystem confinement with Landlock (Linux 5.13+, no root needed, works in containers).

Once a `Ruleset` is enforced, the worker and everything it starts can read (and run) only what it is
given — the standard library, NumPy, the shared libraries already loaded — and read and write
only its own folder (its copy of the submission and its home), whatever the permissions of
every other file on the machine, root's included. On kernels with the newer ABIs it also loses
TCP (bind, connect: ABI 4), and can neither reach abstract Unix sockets nor signal processes
outside its own Landlock domain (ABI 6).

The kernel's interface (include/uapi/linux/landlock.h) is three syscalls, called through ctypes.
"""

from __future__ import annotations

import ctypes
import os
import stat

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # same on every arch
CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH = 1

# Filesystem rights, with the ABI that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
MAKE_REG, MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15  # ABI 2, 3, 5
FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
FS_LATEST = (1 << 16) - 1  # ABI 5 and later
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1  # ABI 4
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1  # ABI 6

READ = EXECUTE | READ_FILE | READ_DIR
DROP = WRITE_FILE | MAKE_REG | TRUNCATE  # make and write files, never read nor list
FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # rights a file rule may hold


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]  # fmt: skip


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The kernel's Landlock ABI (0: none, or disabled)."""
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                           ctypes.c_uint32(CREATE_RULESET_VERSION))  # fmt: skip
    return max(int(version), 0)


class Ruleset:
    """The rules, made while the files can still be opened (before the uid drop); `enforce`
    then confines this process (no_new_privs must be set by then)."""

    def __init__(self, read: list[str], write: list[str], drop: list[str] = ()) -> None:
        """Reading `read`, reading and writing `write`, and only creating and writing files in
        `drop` (folders or files; missing ones are skipped). `abi` is 0 where Landlock is not
        available (then `enforce` changes nothing)."""
        self.abi, self._fd = abi_version(), -1
        if self.abi < 1:
            return
        fs = FS_BY_ABI.get(self.abi, FS_LATEST)
        net = NET_BIND_TCP | NET_CONNECT_TCP if self.abi >= 4 else 0
        scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if self.abi >= 6 else 0
        attr = _RulesetAttr(fs, net, scoped)
        size = 24 if self.abi >= 6 else 16 if self.abi >= 4 else 8
        libc = _libc()
        libc.syscall.restype = ctypes.c_long
        fd = libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size),
                          ctypes.c_uint32(0))  # fmt: skip
        if fd < 0:
            self.abi = 0
            return
        self._fd = int(fd)
        try:
            for paths, rights in ((read, READ), (write, fs), (drop, DROP)):
                for path in paths:
                    _allow(libc, self._fd, path, rights & fs)
        except OSError:
            self.close()
            raise

    def enforce(self) -> int:
        """Confine this process and all it starts; returns the ABI in force (0: nothing)."""
        if self._fd < 0:
            return 0
        libc = _libc()
        libc.syscall.restype = ctypes.c_long
        done = libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(self._fd), ctypes.c_uint32(0))
        self.close()
        return self.abi if done == 0 else 0

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _allow(libc, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # missing: nothing to allow
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= FILE_ONLY
        rule = _PathBeneathAttr(rights, fd)
        if libc.syscall(SYS_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH),
                        ctypes.byref(rule), ctypes.c_uint32(0)) != 0:  # fmt: skip
            raise OSError(ctypes.get_errno(), f"landlock_add_rule failed for {path}")
    finally:
        os.close(fd)
