"""The standard library, reachable after the uid drop even where the new user may not list it.

As root, a worker becomes a uid of its own after it has loaded Python and NumPy. If the Python
installation lives where that uid may not pass (pyenv under a 0700 /root), every standard-
library module not yet imported is out of reach, and whichever one Python itself imports
lazily (3.13's `importlib.invalidate_caches()` imports `importlib.metadata`; 3.14 defers many
more) would fail. So the worker opens the standard library's folders while it still may, and
loads from those descriptors afterwards (`openat`): the permissions below them are the
ordinary 0755/0644 of an installation, and Landlock still decides what may be read.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import stat


class Folders:
    """The standard library's folders, each opened as a descriptor (before the uid drop)."""

    def __init__(self, paths: list[str]) -> None:
        self.roots = []
        for path in paths:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                continue
            self.roots.append((os.path.join(path, ""), fd))

    def find_spec(self, fullname: str, path: list[str] | None):
        """A spec for `fullname` found through the descriptors, or None."""
        name = fullname.rpartition(".")[2]
        for root, fd, rel in self._places(path):
            base = os.path.join(rel, name) if rel else name
            if _is_file(fd, os.path.join(base, "__init__.py")):
                loader = SourceLoader(fullname, fd, os.path.join(base, "__init__.py"), root)
                spec = importlib.util.spec_from_loader(fullname, loader, is_package=True)
                spec.submodule_search_locations = [root + base]
                return spec
            if _is_file(fd, base + ".py"):
                loader = SourceLoader(fullname, fd, base + ".py", root)
                return importlib.util.spec_from_loader(fullname, loader)
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                if _is_file(fd, base + suffix):
                    # The dynamic loader opens a path: this process's descriptor of the file.
                    held = os.open(base + suffix, os.O_RDONLY, dir_fd=fd)
                    through = f"/proc/self/fd/{held}"
                    loader = importlib.machinery.ExtensionFileLoader(fullname, through)
                    return importlib.util.spec_from_loader(fullname, loader)
        return None

    def _places(self, path: list[str] | None):
        """(root, its descriptor, folder relative to it) where `fullname` may be."""
        for root, fd in self.roots:
            if path is None:
                yield root, fd, ""
                continue
            for entry in path:
                entry = os.path.join(entry, "")
                if entry.startswith(root):
                    yield root, fd, entry[len(root) :].rstrip(os.sep)


class SourceLoader:
    """Loads a `.py` of the standard library through a folder descriptor."""

    def __init__(self, fullname: str, folder: int, rel: str, root: str) -> None:
        self.name, self.folder, self.rel = fullname, folder, rel
        self.path = root + rel

    def create_module(self, spec):
        return None

    def get_source(self, fullname: str) -> str:
        fd = os.open(self.rel, os.O_RDONLY | os.O_CLOEXEC, dir_fd=self.folder)
        with open(fd, "rb") as f:
            return importlib.util.decode_source(f.read())

    def get_filename(self, fullname: str) -> str:
        return self.path

    def exec_module(self, module) -> None:
        module.__file__ = self.path
        code = compile(self.get_source(self.name), self.path, "exec", dont_inherit=True)
        exec(code, module.__dict__)


def _is_file(folder: int, rel: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(rel, dir_fd=folder).st_mode)
    except OSError:
        return False
