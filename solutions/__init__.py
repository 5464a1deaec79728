"""Reference solutions to `exercises/`, file for file. For instructors only: never released."""
