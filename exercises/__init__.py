"""The exercises: stubs for students to fill in (see README.md)."""
