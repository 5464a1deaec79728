"""`python -m grader` is the `grade` command.

`-m` puts the current folder first on sys.path; take it off before anything else is imported,
so that a `numpy.py` or `pytest.py` in a submission folder can never stand in for the real one
in the trusted process. (The `grade` console script never had it.)
"""

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
    del sys.path[0]

from grader.cli import main  # noqa: E402

main()
