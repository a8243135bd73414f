"""Tables as CSV the way Swedish Excel opens them: UTF-8 with BOM, ``;`` between fields,
decimal comma in amounts (``1065500`` or ``12,50``, no thousands separator), ISO dates.
A text that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) is
written with a leading ``'`` (``core/text.spreadsheet_safe``, the same as in Excel)."""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from typing import Any

from finsam_ansokan.core.text import spreadsheet_safe
from finsam_ansokan.core.timeutil import as_local

from .tables import Kind, Table

ENCODING = "utf-8-sig"
DELIMITER = ";"
MIMETYPE = "text/csv"


def format_value(value: Any, kind: Kind) -> str:
    if value is None:
        return ""
    if kind is Kind.MONEY:
        amount = Decimal(value)
        if amount == amount.to_integral_value():
            return str(int(amount))
        return f"{amount:.2f}".replace(".", ",")
    if kind is Kind.INTEGER:
        return str(int(value))
    if isinstance(value, datetime):
        return as_local(value).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(spreadsheet_safe(value))  # text that looks like a formula gets a leading '


def csv_text(table: Table) -> str:
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([c.heading for c in table.columns])
    for row in [*table.rows, *([table.total] if table.total else [])]:
        writer.writerow([format_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
    return buffer.getvalue()


def csv_bytes(table: Table) -> bytes:
    return csv_text(table).encode(ENCODING)
