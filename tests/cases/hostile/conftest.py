"""Nothing under tests/cases/hostile/ is a test of ours, and none of it may run in our pytest:
the cases hold a hostile `conftest.py`, `pytest.py` and the like, meant for submissions only."""

collect_ignore_glob = ["*"]
