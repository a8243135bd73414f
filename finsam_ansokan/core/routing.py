"""Small helpers routes share, and the bounds of a number in a URL.

Every id, § number and year in a URL or a query string is stored in a 32-bit ``INTEGER``
column: PostgreSQL refuses a larger number in a comparison (a 500). So ``<int:…>`` in a
route is :class:`BoundedInt` (registered as the ``int`` converter, 1 … 2³¹−1, anything
else is a 404), and a number read from a query string goes through :func:`int_arg`.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from finsam_ansokan.core.transaction import refused

__all__ = ["ID_MAX", "BoundedInt", "int_arg", "refused", "register_converters"]

#: The largest value of an ``INTEGER`` column (PostgreSQL's and SQLite's 32-bit ids).
ID_MAX = 2**31 - 1


class BoundedInt(IntegerConverter):
    """``<int:…>`` that matches only 1 … :data:`ID_MAX`: a larger number is no object."""

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def int_arg(value: str | None) -> int | None:
    """A positive number from a query string (an id, a year, a page), or None for anything
    else: empty, not a number, 0, negative, or beyond the column's range."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 1 <= number <= ID_MAX else None


def register_converters(app: Flask) -> None:
    """Before any blueprint: every ``<int:…>`` in a rule is then bounded."""
    app.url_map.converters["int"] = BoundedInt
