"""The suites' modules are imported here outside the grader: register their marker."""


def pytest_configure(config):
    config.addinivalue_line("markers", "grades(function): the function a suite test scores")
