"""What confined a grading, as the report records it and as people read it.

Built from what a worker reported when it became ready (`worker/confine.py` says what held),
so that the report states facts about this grading, not what the grader meant to do.
"""

from __future__ import annotations

from typing import Any

#: How the filesystem was kept from the submission: Landlock, or (as root, where Landlock is
#: missing) the answers made readable by root only while the worker runs as another user.
LANDLOCK, PERMISSIONS = "landlock", "permissions"


def describe(*, portable: bool, info: dict[str, Any], protected: bool) -> dict[str, Any]:
    """The report's `confinement` object for a sandbox whose worker reported `info`.

    `protected` says whether the answers were hidden by file permissions (as root, without
    Landlock). The keys: `mode` ("linux" or "portable"), `filesystem` (LANDLOCK, PERMISSIONS or
    None), `separate_user`, `syscall_filter`, `own_network`, `own_ipc`, `private_tmp` (/tmp,
    /var/tmp and /dev/shm its own: `worker/mounts.py`), `limits`, and `missing`:
    what this sandbox could not do, in words (empty when nothing is missing).
    """
    filesystem = info.get("filesystem")
    if filesystem is None and protected and info.get("dropped"):
        filesystem = PERMISSIONS
    found = {
        "mode": "portable" if portable else "linux",
        "filesystem": filesystem if filesystem in (LANDLOCK, PERMISSIONS) else None,
        "separate_user": bool(info.get("dropped")),
        "syscall_filter": bool(info.get("seccomp")),
        "own_network": bool(info.get("no_network")),
        "own_ipc": bool(info.get("own_ipc")),
        "private_tmp": bool(info.get("private_tmp")),
        "limits": [str(x) for x in info.get("limits", []) if isinstance(x, str)],
        "landlock_abi": info.get("landlock_abi") if type(info.get("landlock_abi")) is int else 0,
    }
    found["missing"] = missing(found)
    return found


def missing(found: dict[str, Any]) -> list[str]:
    """What did not hold, as sentences a student or an instructor can act on."""
    gaps = []
    if found["filesystem"] is None:
        gaps.append("no filesystem confinement: the submission could read any file you can")
    elif found["filesystem"] == PERMISSIONS:
        gaps.append(
            "files were kept from the submission by permissions only: world-readable copies "
            "of the answers elsewhere on this machine were not"
        )
    if found["mode"] == "portable":
        gaps.append("the submission ran as your own user")
        gaps.append("no syscall filter and no network or IPC namespaces (Linux only)")
    elif not found["syscall_filter"]:
        gaps.append("no syscall filter")
    return gaps


def summary_line(confinement: dict[str, Any] | None) -> str:
    """One line for the terminal when something is missing; empty when all held."""
    if not confinement or not confinement.get("missing"):
        return ""
    how = "portable sandbox" if confinement.get("mode") == "portable" else "sandbox"
    return f"Note: graded in the {how}, with " + "; ".join(confinement["missing"]) + "."
