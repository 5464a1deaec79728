"""What can go wrong on the untrusted side, as exceptions the trusted side raises.

Each `SubmissionProblem` is the *student's* problem, never the grader's: the suites let them
propagate, and the pytest plugin turns them into a test status (`error`, or `timeout` for
`CallTimeout`) with `student_message()` as the feedback. A bug of the grader itself is any other
exception, `SandboxBroken` among them.
"""

from __future__ import annotations


class SubmissionProblem(Exception):
    """Base class: the submission did something other than return a value.

    `traceback` is the student's own traceback (grader paths stripped), `output` what the
    submission printed during the failed call (capped); both may be empty.
    """

    status = "error"

    def __init__(self, message: str = "", *, traceback: str = "", output: str = "") -> None:
        super().__init__(message)
        self.traceback = traceback
        self.output = output

    def student_message(self) -> str:
        """A plain sentence (plus the student's own traceback, if any) for the feedback."""
        return f"{self}\n{self.traceback}".rstrip() if self.traceback else str(self)


class ModuleMissing(SubmissionProblem):
    """The submission has no file for this exercise."""


class ImportFailed(SubmissionProblem):
    """Importing the student's module raised, exited, crashed or hung."""


class FunctionMissing(SubmissionProblem):
    """The module imported, but does not define the function (or it is not callable)."""


class StudentException(SubmissionProblem):
    """The student's function raised an exception (its traceback, grader paths stripped).

    `type_name` is the exception's type, e.g. `ValueError` or `numpy.linalg.LinAlgError`.
    """

    def __init__(self, message: str = "", *, type_name: str = "", **kwargs: str) -> None:
        super().__init__(message, **kwargs)
        self.type_name = type_name


class CallTimeout(SubmissionProblem):
    """The call did not return within the per-call time limit; the worker was killed."""

    status = "timeout"


class WorkerCrashed(SubmissionProblem):
    """The worker process died during the call (exit, signal, memory limit, broken channel)."""


class SandboxBroken(RuntimeError):
    """Not the student's problem: the worker could not be started (the grader's environment)."""
