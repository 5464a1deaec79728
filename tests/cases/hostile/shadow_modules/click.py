"""Hostile: named like a module the grader or the worker imports; it must never run."""

import os

with open(os.path.join("@CANARY@", "LEAK-shadow-" + __name__), "a") as f:
    f.write(f"pid={os.getpid()} uid={os.getuid()}\n")
raise SystemExit("a shadowing module ran")
