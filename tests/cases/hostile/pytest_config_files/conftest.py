"""Hostile: a conftest.py that would mark every test passed, were pytest ever to load it."""

import os

import pytest

with open(os.path.join("@CANARY@", "LEAK-conftest-loaded"), "a") as f:
    f.write(f"pid={os.getpid()} uid={os.getuid()}\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"


def pytest_collection_modifyitems(items):
    items.clear()


os._exit(0)
