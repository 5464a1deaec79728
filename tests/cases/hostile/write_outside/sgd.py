"""Hostile: change files outside the working copy; answer honestly."""

import os
import shutil
import sys

import _hostile
import numpy
from _honest_sgd import *  # noqa: F403

_hostile.ran("import")
GRADER = os.path.dirname(os.path.dirname(os.path.abspath(sys.argv[0])))  # .../grader
CHECKOUT = os.path.dirname(GRADER)
SITE = os.path.dirname(os.path.dirname(numpy.__file__))
PROTECTED = {
    "grader": os.path.join(GRADER, "__init__.py"),
    "grader-new-file": os.path.join(GRADER, "hostile.py"),
    "sandbox": os.path.join(GRADER, "sandbox", "child.py"),
    "solutions": os.path.join(CHECKOUT, "solutions", "sgd.py"),
    "suites": os.path.join(GRADER, "suites", "hidden", "conftest.py"),
    "site-packages-pth": os.path.join(SITE, "zz_hostile.pth"),
    "sitecustomize": os.path.join(SITE, "sitecustomize.py"),
    "checkout": os.path.join(CHECKOUT, "README.md"),
    "numpy": os.path.join(os.path.dirname(numpy.__file__), "__init__.py"),
}
for what, path in PROTECTED.items():
    try:
        with open(path, "a") as f:
            f.write(f"\n# hostile {_hostile.MARKER}\n")  # harmless, but it must not land
        _hostile.leak(f"wrote-{what}", path)
    except OSError:
        pass

# The folder being graded: the grader must put it back as it was.
original = _hostile.ORIGINAL
for name, action in (("sgd.py", "rewrite"), ("batch_gradient.py", "delete"),
                     ("new.txt", "create"), ("logistic_regression.py", "chmod")):  # fmt: skip
    path = os.path.join(original, name)
    try:
        if action == "rewrite":
            with open(path, "w") as f:
                f.write("CHEATED = True\n")
        elif action == "delete":
            os.remove(path)
        elif action == "create":
            with open(path, "w") as f:
                f.write(_hostile.MARKER)
            os.mkdir(os.path.join(original, "new_folder"))
        else:
            os.chmod(path, 0o777)
        _hostile.note("changed-original", f"{action} {name}")
    except OSError as e:
        _hostile.note("original-refused", f"{action} {name}: {e!r}")

# World-writable places: it may write there while it runs, but nothing may stay behind.
for folder in ("/tmp", "/var/tmp", "/dev/shm", os.path.dirname(_hostile.OUTPUT)):
    path = os.path.join(folder, f"{_hostile.MARKER}-outside")
    try:
        os.mkdir(path)
        with open(os.path.join(path, "data.bin"), "wb") as f:
            f.write(bytes(1 << 20))
        _hostile.note("outside", path)
    except OSError:
        pass
shutil.copyfile(__file__, os.path.join(os.environ["HOME"], "copy.py"))  # its home: allowed
