"""A table to export: Swedish headings, typed columns, rows of plain values.

The same :class:`Table` becomes an Excel sheet (``xlsx.py``) or a CSV file (``csvfile.py``);
the column's ``kind`` decides how a value is written: money and counts as real numbers,
dates as dates, the rest as text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    TEXT = "text"
    MONEY = "money"
    INTEGER = "integer"
    DATE = "date"


@dataclass(frozen=True)
class Column:
    heading: str
    kind: Kind = Kind.TEXT
    #: Width in characters in Excel; None: from the heading and the values.
    width: int | None = None


@dataclass
class Table:
    #: The sheet's name in Excel (at most 31 characters).
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    #: A last row in bold (Totalt), or None.
    total: list[Any] | None = None
