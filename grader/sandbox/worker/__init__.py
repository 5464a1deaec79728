"""The worker side of the sandbox: untrusted territory, standard library and NumPy only.

`grader/sandbox/child.py` is the program the grader starts (`python -I -S child.py CONFIG`); it
loads this package under the private name `_gd_worker` (never as `grader.sandbox.worker`: a
worker imports nothing of the grader) and runs one of its programs:

imports.py   what is imported before confinement, and the import guard keyed to origin
stdlib.py    the standard library through folders opened before the uid drop (openat)
zygote.py    the fork server of a group of workers, and the zygote that stays (`grade batch`)
reaper.py    the process that stays behind: adopts, reaps, reports how the worker ended
confine.py   limits, namespaces, uid drop, then seccomp.py and landlock.py, in that order
seccomp.py   the syscall filter, with syscalls by name
landlock.py  filesystem confinement: read the Python it needs, write its own copy only
serve.py     the request loop: import a student module, call one of its functions
"""
