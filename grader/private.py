"""What is for instructors only: one list, read by everything that must keep it from students.

The release leaves it out of the handout (and checks the handout for it), the sandbox's
fallback protection makes it readable by root only where Landlock is missing, and the worker's
import guard refuses it (with the grader's own packages, the stubs and the test runner).
"""

from __future__ import annotations

#: Packages that hold the answers or the scoring: the reference (in the source tree and as
#: installed), the hidden suite, and the instructor's tools.
PACKAGES = ("solutions", "grader.solutions", "grader.suites.hidden", "grader.instructor")
#: Single modules: a working copy of the descents, with mistakes put in (the variant search).
MODULES = ("grader.feedback.variants",)
#: Top-level modules a submission may never import, whatever their origin: the instructor's,
#: the grader's own (grader.datasets alone is loaded apart for it), the stubs, the test runner.
NOT_FOR_SUBMISSIONS = tuple(
    sorted(
        {name.partition(".")[0] for name in PACKAGES + MODULES}
        | {"grader", "exercises", "pytest", "_pytest", "pytest_jsonreport"}
    )
)


def source_patterns() -> tuple[str, ...]:
    """The same, as file patterns of the source tree (relative to its top)."""
    packages = tuple(f"{name.replace('.', '/')}/**/*" for name in PACKAGES)
    return packages + tuple(f"{name.replace('.', '/')}.py" for name in MODULES)
