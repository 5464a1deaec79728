"""The worker's seccomp filter: the syscalls a submission never needs, refused by name.

Installed last but one by `confine` (after the uid drop, before Landlock), with no way back,
on the worker and everything it starts. No root needed. Refused with EPERM:

- always: tracing and reading other processes' memory (ptrace, process_vm_*), signals through
  pidfds and threads of others (pidfd_send_signal, pidfd_getfd, tkill), the kernel keyrings
  (add_key, request_key, keyctl: a keyring belongs to a uid and would outlive the grading),
  System V IPC and POSIX message queues (state that outlives a process), new namespaces
  (unshare, setns: no way out of ours), and perf_event_open, bpf and userfaultfd;
- when they name a protected process (pid or process group) or everybody (-1): kill, tgkill,
  rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_open;
- always: changing a file's metadata (chmod, chown, utime and their kin, extended attributes,
  inode flags through file_setattr): Landlock does not govern it, and as a normal user the
  worker is the grading user, who owns files the worker can name;
- by argument: fcntl F_SETOWN/F_SETOWN_EX/F_SETSIG and ioctl FIOSETOWN/SIOCSPGRP (they would aim
  a descriptor's signals at anybody), ioctl FS_IOC_SETFLAGS/FS_IOC_FSSETXATTR (chattr's inode
  flags), and socket(AF_UNIX, ...) (abstract Unix sockets are a channel to other processes of
  the machine that no file permission governs).

Calls of another ABI (32-bit, x32) are refused whole (ENOSYS).
"""

from __future__ import annotations

import ctypes
import os
import platform

#: Syscall numbers by name, per machine (from the kernel's unistd tables); None: not on it.
SYSCALLS = {
    "x86_64": {
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311,
        "pidfd_send_signal": 424, "pidfd_getfd": 438, "tkill": 200,
        "add_key": 248, "request_key": 249, "keyctl": 250,
        "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67, "semget": 64, "semop": 65,
        "semctl": 66, "semtimedop": 220, "msgget": 68, "msgsnd": 69, "msgrcv": 70,
        "msgctl": 71, "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242,
        "mq_timedreceive": 243, "mq_notify": 244, "mq_getsetattr": 245,
        "unshare": 272, "setns": 308, "perf_event_open": 298, "bpf": 321, "userfaultfd": 323,
        "kill": 62, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
        "pidfd_open": 434, "fcntl": 72, "ioctl": 16, "socket": 41,
        "chmod": 90, "fchmod": 91, "fchmodat": 268, "fchmodat2": 452, "chown": 92,
        "fchown": 93, "lchown": 94, "fchownat": 260, "utime": 132, "utimes": 235,
        "futimesat": 261, "utimensat": 280, "setxattr": 188, "lsetxattr": 189,
        "fsetxattr": 190, "removexattr": 197, "lremovexattr": 198, "fremovexattr": 199,
        "setxattrat": 463, "removexattrat": 466, "file_setattr": 469,
    },
    "aarch64": {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271,
        "pidfd_send_signal": 424, "pidfd_getfd": 438, "tkill": 130,
        "add_key": 217, "request_key": 218, "keyctl": 219,
        "shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197, "semget": 190,
        "semctl": 191, "semtimedop": 192, "semop": 193, "msgget": 186, "msgctl": 187,
        "msgrcv": 188, "msgsnd": 189, "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182,
        "mq_timedreceive": 183, "mq_notify": 184, "mq_getsetattr": 185,
        "unshare": 97, "setns": 268, "perf_event_open": 241, "bpf": 280, "userfaultfd": 282,
        "kill": 129, "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
        "pidfd_open": 434, "fcntl": 25, "ioctl": 29, "socket": 198,
        "fchmod": 52, "fchmodat": 53, "fchmodat2": 452, "fchown": 55, "fchownat": 54,
        "utimensat": 88, "setxattr": 5, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14,
        "lremovexattr": 15, "fremovexattr": 16, "setxattrat": 463, "removexattrat": 466,
        "file_setattr": 469,
        # The legacy path calls this machine never had (its C library uses the *at ones).
        "chmod": None, "chown": None, "lchown": None, "utime": None, "utimes": None,
        "futimesat": None,
    },
}  # fmt: skip
#: The audit architecture each filter checks first (AUDIT_ARCH_*).
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000

#: What changes a file's metadata: permissions, owner, times, extended attributes and inode
#: flags. Landlock does not govern them, and as a normal user the worker is the grading user:
#: it could make any of that user's files or folders it can name world-writable.
METADATA = (
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "utime", "utimes", "futimesat", "utimensat", "setxattr", "lsetxattr", "fsetxattr",
    "removexattr", "lremovexattr", "fremovexattr", "setxattrat", "removexattrat", "file_setattr",
)  # fmt: skip
ALWAYS_REFUSED = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_send_signal", "pidfd_getfd",
    "tkill", "add_key", "request_key", "keyctl", "shmget", "shmat", "shmctl", "shmdt",
    "semget", "semop", "semctl", "semtimedop", "msgget", "msgsnd", "msgrcv", "msgctl",
    "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr",
    "unshare", "setns", "perf_event_open", "bpf", "userfaultfd",
    *METADATA,
)  # fmt: skip
#: Refused when their first argument names a protected process, its group, or -1.
TARGET_CHECKED = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_open")
F_SETOWN, F_SETSIG, F_SETOWN_EX = 8, 10, 15
FIOSETOWN, SIOCSPGRP = 0x8901, 0x8902
#: chattr's ioctls (inode flags; the 32-bit number too) and the XFS-style attributes.
FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS, FS_IOC_FSSETXATTR = 0x40086602, 0x40046602, 0x401C5820
AF_UNIX = 1
#: Refused when an argument (by index) has one of these values (its low 32 bits).
BY_ARGUMENT = {
    "fcntl": (1, (F_SETOWN, F_SETSIG, F_SETOWN_EX)),
    "ioctl": (1, (FIOSETOWN, SIOCSPGRP, FS_IOC_SETFLAGS, FS_IOC32_SETFLAGS, FS_IOC_FSSETXATTR)),
    "socket": (0, (AF_UNIX,)),
}

# seccomp_data: nr at offset 0, arch at 4, args[i] at 16 + 8*i (low 32 bits first).
_NR, _ARCH = 0, 4
SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO = 0x7FFF0000, 0x00050000
EPERM, ENOSYS = 1, 38
BPF_LD_W_ABS, BPF_RET_K, BPF_JEQ_K, BPF_JGE_K = 0x20, 0x06, 0x15, 0x35
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2


def _argument(index: int) -> int:
    return 16 + 8 * index


def program(machine: str, protected: set[int]) -> list[tuple]:
    """The filter as a list of steps: ("ld", offset), ("ret", value), ("jeq"/"jge", value,
    label if true, label if false), ("label", name). Pure, so that tests can read it."""
    nr = SYSCALLS[machine]
    targets = {0xFFFFFFFF}
    for pid in protected:
        targets |= {pid, -pid & 0xFFFFFFFF}
        try:
            targets.add(-os.getpgid(pid) & 0xFFFFFFFF)
        except OSError:
            pass
    steps = [("ld", _ARCH), ("jeq", AUDIT_ARCH[machine], None, "other_abi"), ("ld", _NR),
             ("jge", X32_SYSCALL_BIT, "other_abi", None)]  # fmt: skip
    steps += [("jeq", nr[name], "refuse", None) for name in ALWAYS_REFUSED if nr[name] is not None]
    steps += [("jeq", nr[name], "check_target", None) for name in TARGET_CHECKED]
    steps += [("jeq", nr[name], f"check_{name}", None) for name in BY_ARGUMENT]
    steps += [("ret", SECCOMP_RET_ALLOW), ("label", "check_target"), ("ld", _argument(0))]
    steps += [("jeq", target, "refuse", None) for target in sorted(targets)]
    for name, (index, values) in BY_ARGUMENT.items():
        steps += [("ret", SECCOMP_RET_ALLOW), ("label", f"check_{name}"), ("ld", _argument(index))]
        steps += [("jeq", value, "refuse", None) for value in values]
    steps += [("ret", SECCOMP_RET_ALLOW), ("label", "refuse"), ("ret", SECCOMP_RET_ERRNO | EPERM)]
    steps += [("label", "other_abi"), ("ret", SECCOMP_RET_ERRNO | ENOSYS)]
    return steps


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8),
                ("k", ctypes.c_uint32)]  # fmt: skip


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_uint16), ("filter", ctypes.POINTER(_Filter))]


def assemble(steps: list[tuple]):
    """Classic BPF instructions from `program`'s steps (labels resolved to relative jumps)."""
    labels, at = {}, 0
    for step in steps:
        if step[0] == "label":
            labels[step[1]] = at
        else:
            at += 1
    code = [step for step in steps if step[0] != "label"]
    filters = (_Filter * len(code))()
    for i, step in enumerate(code):
        if step[0] == "ld":
            filters[i] = _Filter(BPF_LD_W_ABS, 0, 0, step[1])
        elif step[0] == "ret":
            filters[i] = _Filter(BPF_RET_K, 0, 0, step[1])
        else:
            jump = {"jeq": BPF_JEQ_K, "jge": BPF_JGE_K}[step[0]]
            jt, jf = (0 if label is None else labels[label] - i - 1 for label in step[2:])
            if max(jt, jf) > 255:  # a classic BPF jump is one byte: never let it wrap
                raise ValueError(f"a jump of {max(jt, jf)} instructions in the syscall filter")
            filters[i] = _Filter(jump, jt, jf, step[1])
    return filters


def install(protected: set[int]) -> bool:
    """Put the filter on this process (no_new_privs must be set); whether it is in place."""
    machine = platform.machine()
    if machine not in SYSCALLS:
        return False
    filters = assemble(program(machine, protected))
    prog = _Program(len(filters), filters)
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) == 0
