"""One list of what is instructor-only (grader/private.py), read by all three that need it."""

from __future__ import annotations

from grader import private
from grader.instructor import release
from grader.sandbox import limits


def test_the_release_the_sandbox_and_the_worker_read_the_one_list():
    assert release.INSTRUCTOR_ONLY == private.source_patterns()
    assert limits.PROTECTED_PACKAGES == private.PACKAGES
    assert limits.PROTECTED_MODULES == private.MODULES
    assert limits.REFUSED_IMPORTS == private.NOT_FOR_SUBMISSIONS


def test_every_instructor_only_top_level_name_is_refused_to_submissions():
    for name in private.PACKAGES + private.MODULES:
        assert name.partition(".")[0] in private.NOT_FOR_SUBMISSIONS
    assert {"grader", "exercises", "pytest"} <= set(private.NOT_FOR_SUBMISSIONS)


def test_the_patterns_name_the_source_tree_as_it_is():
    patterns = private.source_patterns()
    assert "solutions/**/*" in patterns and "grader/suites/hidden/**/*" in patterns
    assert "grader/feedback/variants.py" in patterns
