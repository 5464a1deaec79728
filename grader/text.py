"""Submission-made text, made safe for people: every sink that shows it goes through `visible`.

A submission controls its exception messages, what it prints, and (in `grade batch`) the names
of its folder and files. Shown raw, a control character can clear the viewer's screen, move the
cursor to forge a line such as "Total: 25 / 25", set the window title, write the clipboard
(OSC 52) or hide text (SGR "conceal"); a bidirectional override reorders what is read; a lone
surrogate cannot be encoded at all and stops whatever writes it. `visible` turns each of these
characters into its Python escape (`\\x1b`, `\\r`, `\\u202e`, `\\ud800`; a byte of a file
name that is not UTF-8 as `\\xe9`), so the text stays readable and nothing in it acts. The
terminal summary, summary.md, gradebook.csv, Gradescope's and Classroom's output and the batch's
messages all use it; the JSON report keeps the text (JSON escapes control characters itself)
and only loses its lone surrogates, which no UTF-8 document can hold.
"""

from __future__ import annotations

import re

#: Characters a person's screen must never receive from a submission: C0 controls (but newline
#: and tab, which every sink lays out itself), DEL, C1 controls (8-bit CSI and OSC among them),
#: and the invisible characters that reorder or separate lines (bidi controls, U+2028/9).
_ACTING = (
    [c for c in range(0x20) if chr(c) not in "\n\t"]
    + list(range(0x7F, 0xA0))
    + [0x061C, 0x200E, 0x200F, 0x2028, 0x2029]
    + list(range(0x202A, 0x202F))
    + list(range(0x2066, 0x206A))
)
_SURROGATES = range(0xD800, 0xE000)


def _escape(code: int) -> str:
    if code == 0x0D:
        return "\\r"
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (a file name): the byte itself
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_FOR_PEOPLE = {code: _escape(code) for code in [*_ACTING, *_SURROGATES]}
_FOR_DATA = {code: _escape(code) for code in _SURROGATES}
#: Whether there is anything to escape at all: one regex scan, far quicker than translate.
_ANY_FOR_PEOPLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOR_PEOPLE) + "]")
_ANY_FOR_DATA = re.compile("[\ud800-\udfff]")


def visible(text: str, *, controls: bool = True) -> str:
    """`text` with every character that could act on a viewer written as its escape.

    With `controls=False` only lone surrogates are escaped: what a JSON document written as
    UTF-8 needs, keeping everything else as it was.
    """
    if not (_ANY_FOR_PEOPLE if controls else _ANY_FOR_DATA).search(text):
        return text  # the common case
    return text.translate(_FOR_PEOPLE if controls else _FOR_DATA)
