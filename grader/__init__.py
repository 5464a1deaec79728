"""The grader of the gradient-descent course: runs test suites against an isolated submission."""

__version__ = "0.1.0"
