"""Hostile: a pytest plugin named by the submission's pytest.ini and pyproject.toml."""

import os

with open(os.path.join("@CANARY@", "LEAK-plugin-loaded"), "a") as f:
    f.write(f"pid={os.getpid()} uid={os.getuid()}\n")


def pytest_configure(config):
    os._exit(0)
