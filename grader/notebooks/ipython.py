"""IPython's own syntax in a cell (`%magic`, `!shell`, `x = !ls`, `obj?`), turned into plain Python.

Each such line becomes `pass` at its own indentation, so that the cell keeps its line numbers
(tracebacks point at the student's lines) and its blocks stay valid. The lines are remembered to
tell the student that they were not run. Cell magics whose body is Python (`%%time`) keep their
body; any other cell magic (`%%bash`, `%%writefile`) makes the whole cell a command.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Cell magics whose body is ordinary Python code of the notebook.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})
_COMMAND = re.compile(
    r"""^(?P<indent>[ \t]*)(?:
        [%!?]                                   # %magic, %%magic, !shell, ?help
        | [A-Za-z_][\w.]*\s*=\s*[%!]             # x = !ls, t = %timeit ...
        | [A-Za-z_][\w.]*(?:\(\))?\s*\?\??\s*$   # np.mean? and np.mean??
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Plain:
    """A cell as Python: its text (same number of lines) and the IPython commands taken out."""

    source: str
    commands: tuple[str, ...]


def plain_python(source: str) -> Plain:
    """`source` with IPython's syntax made `pass`; the commands that were there, in order."""
    lines = source.splitlines()
    commands: list[str] = []
    if lines and lines[0].lstrip().startswith("%%"):
        name = lines[0].lstrip()[2:].split(maxsplit=1)[0] if lines[0].strip() != "%%" else ""
        commands.append(lines[0].strip())
        if name not in PYTHON_CELL_MAGICS:
            return Plain("\n" * (len(lines) - 1), tuple(commands))
        lines[0] = ""
    out = []
    continued = False  # the previous command line ended with a backslash
    quotes = [0, 0]  # triple quotes seen so far, of each kind: odd means inside a string
    for line in lines:
        inside = quotes[0] % 2 or quotes[1] % 2
        quotes[0] += line.count('"""')
        quotes[1] += line.count("'''")
        match = None if inside else _COMMAND.match(line)
        if continued or match:
            indent = match.group("indent") if match else ""
            commands.append(line.strip())
            out.append(f"{indent}pass" if match and not continued else "")
            continued = line.rstrip().endswith("\\")
            continue
        out.append(line)
    return Plain("\n".join(out), tuple(commands))
