"""Reference solutions: the answers to `exercises/`, file for file. Instructor-only: never released."""
