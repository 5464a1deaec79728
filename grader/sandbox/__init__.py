"""The untrusted side and its boundary: a worker process that runs submission code on request.

client.py   `Sandbox`, `CallResult`: what the suites use (restart, remember, messages)
process.py  one worker process seen from the grader: start, pipes, answers, output, kill
child.py    the worker program itself (stdlib + NumPy only; never imports `grader`)
wire.py     the frame format both sides share: JSON plus `.npy` blobs, never pickle
values.py   `Foreign` and validators of returned values (exact ndarray, real dtype, shape...)
limits.py   rlimit values, environment allow-list, user, hiding the reference, tree kill
proctree.py process trees from /proc (shared with child.py and `grade batch`)
workdir.py  the private copy of a submission, and restoring the original folder
errors.py   what the student's code did wrong, as exceptions
"""
