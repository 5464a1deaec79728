"""`python -m grader` is the `grade` command.

`-m` puts the current folder first on sys.path; it is taken off here, before anything else
is imported, so that a `numpy.py` or `pytest.py` in the current folder cannot stand in for the
real one. It cannot help with a `grader/` folder there, which Python finds before this file
runs: inside an untrusted folder, run the `grade` script or `python -I -m grader`.
"""

import os
import sys

if sys.path and os.path.abspath(sys.path[0] or os.curdir) == os.getcwd():
    del sys.path[0]

from grader.cli import main  # noqa: E402

main()
