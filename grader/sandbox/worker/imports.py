"""What a worker imports before it is confined, and the import guard the submission meets after.

Before confinement the worker imports NumPy and the standard-library modules students use
(as root the worker then becomes a user who may not be able to read the Python installation,
so these must be loaded first). After confinement one guard, first on `sys.meta_path` after
the built-in and frozen importers, decides by *where a module comes from*, not by a list of
names that a CPython release could make wrong:

- the grader's own packages and the instructor's (the names the grader passes, whatever their
  origin, even a file of the submission called so) are refused;
- a module found in the standard library, in NumPy's folders, or in the submission's folder is
  allowed; a standard-library module the worker's user may no longer reach by path is loaded
  through the folder descriptors opened before the uid drop (`stdlib.py`);
- anything else (another installed package, say) is refused with the same plain sentence.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import sysconfig

#: Common standard-library modules a submission may use, loaded while they can still be read.
PRELOAD = (
    "abc argparse array bisect cmath collections collections.abc contextlib copy csv ctypes "
    "dataclasses datetime decimal enum errno fractions functools gc glob heapq importlib "
    "importlib.util inspect io itertools json linecache locale math mmap numbers operator pathlib "
    "pprint queue random re select shutil signal statistics string struct subprocess tempfile "
    "textwrap threading time tokenize traceback types typing warnings weakref"
).split()
PRELOAD_NUMPY = ("numpy", "numpy.random", "numpy.linalg", "numpy.lib.format")
#: Folders inside the standard library's folder that are not the standard library.
NOT_STANDARD_LIBRARY = ("site-packages", "dist-packages")


def preload(numpy_path: str) -> None:
    """Import NumPy (from `numpy_path`, its site-packages) and the common standard library."""
    sys.path.append(numpy_path)
    for name in PRELOAD + list(PRELOAD_NUMPY):
        try:
            __import__(name)
        except ImportError:
            pass


def load_datasets(grader_dir: str, allowed: dict) -> None:
    """Make `grader.datasets`, and nothing else of the grader, importable by submissions.

    The stubs' examples use the course's data (`from grader.datasets import toy_regression`),
    and that module is plain NumPy. It is loaded by path now, before confinement, under a
    stand-in `grader` package with no search path: every other `grader.*` import still fails.
    The two modules are recorded in `allowed`.
    """
    import importlib.util
    import types

    path = os.path.join(grader_dir, "datasets.py")
    if not os.path.isfile(path):
        return
    package = types.ModuleType("grader", "Only grader.datasets is available to submissions.")
    package.__path__ = []
    spec = importlib.util.spec_from_file_location("grader.datasets", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["grader"], sys.modules["grader.datasets"] = package, module
    spec.loader.exec_module(module)
    package.datasets = module
    allowed.update({"grader": package, "grader.datasets": module})


def standard_library() -> list[str]:
    """The folders of the standard library (its own site-packages is not part of it)."""
    paths = sysconfig.get_paths()
    return sorted({os.path.realpath(paths[key]) for key in ("stdlib", "platstdlib")})


def standard_library_entries() -> list[str]:
    """Every entry of the standard library's folders but the packages installed there (its
    site-packages and dist-packages, where an instructor's package may be): what a worker
    may read of it."""
    entries = []
    for folder in standard_library():
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        entries += [os.path.join(folder, n) for n in names if n not in NOT_STANDARD_LIBRARY]
    return entries


def numpy_folders() -> list[str]:
    """NumPy's package folder and, for wheels, the folder of its bundled libraries."""
    import numpy

    package = os.path.dirname(os.path.realpath(numpy.__file__))
    libs = os.path.join(os.path.dirname(package), "numpy.libs")
    return [package] + ([libs] if os.path.isdir(libs) else [])


class Guard:
    """The meta-path finder that decides by origin (see the module's docstring)."""

    UNAVAILABLE = (
        "module {name!r} is not available in the grading sandbox; NumPy and the common "
        "standard-library modules (math, itertools, collections, ...) are"
    )

    def __init__(
        self,
        refused: tuple[str, ...],
        allowed_roots: list[str],
        stdlib: list[str],
        folders=None,
        installed: frozenset = frozenset(),
    ) -> None:
        self.refused = frozenset(refused)
        self.installed = installed  # top-level names installed where submissions may not go
        self.folders = folders  # stdlib.Folders, or None
        self.roots = tuple(os.path.join(os.path.realpath(r), "") for r in allowed_roots)
        self.stdlib = tuple(os.path.join(r, "") for r in stdlib)
        # Packages installed inside the standard library's folder are not the standard library.
        self.site = tuple(os.path.join(r, name, "") for r in stdlib
                          for name in NOT_STANDARD_LIBRARY)  # fmt: skip

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.refused:
            raise ModuleNotFoundError(
                f"module {fullname!r} is not available to submissions", name=fullname
            )
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or (spec.has_location and not _readable(spec.origin)):
            # Out of this user's reach by path (see stdlib.py): through the folders opened
            # before the uid drop, if it is the standard library's.
            found = self.folders.find_spec(fullname, path) if self.folders else None
            if found is not None:
                return found
        if spec is None:
            if top in sys.stdlib_module_names or top in self.installed:
                raise ModuleNotFoundError(self.UNAVAILABLE.format(name=fullname), name=fullname)
            return None  # not found anywhere: Python's own "No module named ..."
        places = [spec.origin] if spec.has_location else []
        places += list(spec.submodule_search_locations or [])
        if not places or not all(self._allowed(os.path.realpath(p)) for p in places if p):
            raise ModuleNotFoundError(self.UNAVAILABLE.format(name=fullname), name=fullname)
        if spec.has_location and not _readable(spec.origin):
            raise ModuleNotFoundError(self.UNAVAILABLE.format(name=fullname), name=fullname)
        return spec

    def _allowed(self, place: str) -> bool:
        place = os.path.join(place, "") if os.path.isdir(place) else place
        if place.startswith(self.site):
            return False
        return place.startswith(self.stdlib) or place.startswith(self.roots)


def _readable(path: str) -> bool:
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False


def installed_elsewhere(allowed_roots: list[str]) -> frozenset:
    """The top-level names installed in the search path's folders other than the standard
    library and `allowed_roots` (NumPy's site-packages holds click, pytest...): listed before
    confinement, after which those folders may be out of sight, so that importing one is still
    named "not available in the grading sandbox" rather than "No module named"."""
    names, allowed = set(), tuple(os.path.join(os.path.realpath(r), "") for r in allowed_roots)
    for folder in sys.path:
        real = os.path.join(os.path.realpath(folder or "."), "")
        if real.startswith(allowed) or not os.path.isdir(real):
            continue
        try:
            entries = os.listdir(real)
        except OSError:
            continue
        for entry in entries:
            name = entry.partition(".")[0]
            if name.isidentifier() and not entry.endswith(("-info", ".pth")):
                names.add(name)
    return frozenset(names)


def install_guard(
    refused: tuple[str, ...],
    allowed_roots: list[str],
    stdlib: list[str],
    keep: dict,
    folders=None,
    installed: frozenset = frozenset(),
) -> None:
    """Put the guard in front of the path finder, and forget the refused modules already
    imported (but those in `keep`, e.g. `grader.datasets`)."""
    at = next(
        (i for i, f in enumerate(sys.meta_path) if f is importlib.machinery.PathFinder),
        len(sys.meta_path),
    )
    sys.meta_path.insert(at, Guard(refused, allowed_roots, stdlib, folders, installed))
    for name in [m for m in sys.modules if m.partition(".")[0] in refused]:
        if sys.modules[name] is not keep.get(name):
            del sys.modules[name]
