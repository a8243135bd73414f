"""Tables as an Excel workbook (.xlsx) with openpyxl.

Money and counts are real number cells (a spreadsheet sums them), money shown as
``1 065 500 kr`` through the number format ``#,##0 "kr"`` (Excel draws the thousands
separator of the reader's locale: a space in Swedish). Headings are bold, the header
row is frozen and has a filter, and columns get a sensible width. Text is always a text
cell: one that begins like a formula gets a leading ``'`` (``core/text.spreadsheet_safe``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from finsam_ansokan.core.text import spreadsheet_safe
from finsam_ansokan.core.timeutil import as_local

from .tables import Kind, Table

MONEY_FORMAT = '#,##0 "kr"'
INTEGER_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"
MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_WIDTH = 60


def _cell_value(value: Any, kind: Kind) -> Any:
    if value is None:
        return None
    if kind is Kind.MONEY:
        amount = Decimal(value)
        return int(amount) if amount == amount.to_integral_value() else amount
    if kind is Kind.INTEGER:
        return int(value)
    if kind is Kind.DATE and isinstance(value, datetime):
        return as_local(value).date()
    if isinstance(value, str):
        # control characters a user typed are not allowed in a worksheet: drop them; a text
        # that begins like a formula gets a leading ' (openpyxl would write a live formula)
        return spreadsheet_safe(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _number_format(kind: Kind) -> str | None:
    return {Kind.MONEY: MONEY_FORMAT, Kind.INTEGER: INTEGER_FORMAT, Kind.DATE: DATE_FORMAT}.get(
        kind
    )


def _display_width(value: Any, kind: Kind) -> int:
    if value is None:
        return 0
    if kind is Kind.MONEY:
        return len(f"{int(Decimal(value)):,}") + 3
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def workbook_bytes(*tables: Table) -> bytes:
    """One sheet per table, as the bytes of an .xlsx file."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(title=table.title[:31])
        sheet.append([c.heading for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        body = [*table.rows, *([table.total] if table.total else [])]
        for row in body:
            sheet.append([_cell_value(v, c.kind) for v, c in zip(row, table.columns, strict=True)])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            number_format = _number_format(column.kind)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
            width = column.width or min(
                _MAX_WIDTH,
                max(
                    [len(column.heading)]
                    + [_display_width(row[index - 1], column.kind) for row in body]
                )
                + 2,
            )
            sheet.column_dimensions[letter].width = width
        if table.total:
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        last_data_row = 1 + len(table.rows)
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{max(last_data_row, 1)}"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
