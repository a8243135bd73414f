"""Whether a download holds a cell that a spreadsheet would run as a formula.

Shared by the export regression tests and the hostile-input walk: an Excel cell of type
formula, or a CSV cell that begins like one (``=``, ``+``, ``-``, ``@``, tab, carriage
return) and is not a plain number (``-500`` and ``-12,50`` are numbers)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import load_workbook

_NUMBER = re.compile(r"-?\d+(,\d+)?")
_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_formula_cells(text: str) -> list[str]:
    return [
        cell
        for row in csv.reader(io.StringIO(text), delimiter=";")
        for cell in row
        if cell.startswith(_PREFIXES) and not _NUMBER.fullmatch(cell)
    ]


def xlsx_formula_cells(data: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(data))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def zip_formula_cells(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            f"{name}: {cell}"
            for name in archive.namelist()
            if name.endswith(".csv")
            for cell in csv_formula_cells(archive.read(name).decode("utf-8-sig"))
        ]


def formula_cells(response) -> list[str]:
    """The formula-looking cells of a download (nothing for any other response)."""
    if response.mimetype == XLSX:
        return xlsx_formula_cells(response.get_data())
    if response.mimetype == "text/csv":
        return csv_formula_cells(response.get_data().decode("utf-8-sig"))
    if response.mimetype == "application/zip":
        return zip_formula_cells(response.get_data())
    return []
