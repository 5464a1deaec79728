"""As root: the folders every process shares (/tmp, /var/tmp, /dev/shm) made the worker's own.

In a mount namespace of its own (Linux, root), each of those folders becomes an empty tmpfs,
but for what the worker needs there, bound back at the same path: its own folder, the drop box
of the hostile tests, and the interpreter, standard library or NumPy when one lives below them
(a CI venv in /tmp): the same list Landlock is given. What another process left there, or
leaves while the worker runs, is not in its view, and what it leaves there is gone with it.

With Landlock this is a second wall; without it (a kernel before 5.13) it is the wall around
the shared folders. It is all or nothing per folder: a step that fails puts that folder back
as it was, and the worker reports what held (`private_tmp`).
"""

from __future__ import annotations

import ctypes
import os

SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm")
CLONE_NEWNS = 0x00020000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000
MNT_DETACH = 2
#: Each folder's tmpfs: writable by everybody as the original, and small (it is the worker's
#: only; what a submission writes to its own folder is not in it).
TMPFS_OPTIONS = b"mode=1777,size=16m,nr_inodes=4096"


def make_private(needed: list[str]) -> bool:
    """Give this process a mount namespace whose shared folders hold only what of `needed`
    (absolute paths, real but for links the standard library may hold) lies in them; whether
    every shared folder there is now its own."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        return False
    # Nothing mounted from now on reaches the machine's namespace (nor comes back from it).
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    folders = sorted({os.path.realpath(f) for f in SHARED_FOLDERS if os.path.isdir(f)})
    # realpath of each of hundreds of paths would cost milliseconds: only of the links.
    real = [os.path.realpath(p) if os.path.islink(p) else p for p in needed]
    done = True
    for folder in folders:
        keep = outermost([p for p in real if inside(p, folder)])
        if folder in keep:
            done = False  # something it needs is the folder itself: it stays shared
            continue
        done = _replace(libc, folder, keep) and done
    return done


def _replace(libc, folder: str, keep: list[str]) -> bool:
    """An empty tmpfs on `folder`, with each path of `keep` bound back; or nothing changed."""
    opened = []
    try:
        for path in keep:
            opened.append((path, os.open(path, os.O_PATH | os.O_CLOEXEC)))
    except OSError:
        _close(opened)
        return False
    if libc.mount(b"tmpfs", folder.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, TMPFS_OPTIONS):
        _close(opened)
        return False
    try:
        for path, fd in opened:
            _mount_point(folder, path, os.path.isdir(f"/proc/self/fd/{fd}"))
            source = f"/proc/self/fd/{fd}".encode()
            if libc.mount(source, path.encode(), None, MS_BIND | MS_REC, None) != 0:
                raise OSError(ctypes.get_errno(), f"cannot bind {path}")
    except OSError:
        libc.umount2(folder.encode(), MNT_DETACH)  # the original folder, as it was
        return False
    finally:
        _close(opened)
    return True


def _mount_point(folder: str, path: str, is_dir: bool) -> None:
    """Make `path` (below `folder`, now an empty tmpfs) as a folder or an empty file, with the
    folders above it passable, not listable."""
    parent = os.path.dirname(path)
    if parent != folder and not os.path.isdir(parent):
        _mount_point(folder, parent, True)
    if is_dir:
        os.mkdir(path, 0o711)
    else:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def outermost(paths: list[str]) -> list[str]:
    """`paths` without those inside another of them, sorted."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(inside(path, k) for k in kept):
            kept.append(path)
    return kept


def _close(opened: list) -> None:
    for _, fd in opened:
        os.close(fd)
