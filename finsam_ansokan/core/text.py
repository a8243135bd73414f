"""Text from outside made safe to store, to put in an e-mail header and to put in a
spreadsheet. One place for each rule; forms, the outbox and the exports call it.

- :func:`clean_multiline`: what a textarea keeps — every character but the C0 control
  characters (and DEL), except tab, line feed and carriage return. A NUL byte cannot be
  stored by PostgreSQL at all; the others only hide text or break files.
- :func:`single_line`: what a one-line field, an e-mail subject or a file name keeps —
  the same, with every line break and tab turned into one space.
- :func:`spreadsheet_safe`: a text cell that a spreadsheet could read as a formula
  (OWASP, CSV injection: it begins with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return) gets a leading ``'``, so Excel and LibreOffice show it as the text it is.
"""

from __future__ import annotations

import re
from typing import Any

#: C0 control characters and DEL, but not tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: Line breaks (and the tab) that a one-line value must not hold: CR, LF, the Unicode line
#: and paragraph separators and NEL, which e-mail libraries and spreadsheets also break on.
_BREAKS = re.compile(r"[\t\r\n\x85\u2028\u2029]+")

#: What a spreadsheet may take as the start of a formula (OWASP's list).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def clean_multiline(value: str) -> str:
    """``value`` without control characters other than tab, CR and LF."""
    return _CONTROL.sub("", value)


def single_line(value: str) -> str:
    """``value`` as one line: no control characters, each run of breaks one space."""
    return _BREAKS.sub(" ", clean_multiline(value))


def spreadsheet_safe(value: Any) -> Any:
    """A cell's value as the CSV and Excel writers put it: a text that never runs as a
    formula (a leading ``'`` when it begins like one); numbers, dates and None unchanged,
    so a real number stays a number cell."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
