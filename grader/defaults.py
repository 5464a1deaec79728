"""The grader's defaults, in one place: the runner's signature and the CLI's help both read them."""

from __future__ import annotations

#: Seconds one call of the submission's code may take before its worker is killed.
TIMEOUT = 5.0
#: Address-space limit of the worker process, in MiB.
MEMORY_MB = 2048
#: The suite `grade` runs when none is named: the one students can read.
SUITE = "public"
#: The suite `grade batch` runs when none is named: batches are for scoring a class.
BATCH_SUITE = "hidden"
#: Who the worker becomes when the grader runs as root: "private" (a uid nobody else has,
#: new for each grading), a user name, or a bare uid.
WORKER_USER = "private"
#: Seconds `grade batch` gives one whole submission before it stops its grading process.
BATCH_WALL_LIMIT = 300.0
#: Who sees the hidden suite's results on Gradescope, and when: after the (late) due date, so that
#: a student who may resubmit without limit cannot map the hidden suite while it still counts.
GRADESCOPE_VISIBILITY = "after_due_date"
