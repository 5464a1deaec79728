"""The instructor's side of `grade`: the handout, class batches, Gradescope and GitHub Actions.

Nothing here is shipped in the student handout (`grade release` leaves this package out), and
nothing here runs submission code itself: every grade goes through `grader.runner`.
"""
