"""Feedback that teaches: diagnoses of common mistakes, hints, watch mode and loss-curve plots.

- `diagnoses`  the API: `explain(...)` turns a wrong result into a guiding question.
- `mistakes`   the relation-only mistakes (safe to ship with the public suite).
- `variants`   the mistakes recognised by re-running a mistaken reference (instructor-only).
- `hints`      `grade hint`: the hints of course.toml, one at a time.
- `watch`      `grade watch`: re-grade on every save.
- `plot`       `grade plot`: loss per epoch, the student's beside the reference.
"""
