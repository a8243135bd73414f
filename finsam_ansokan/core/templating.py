"""Jinja filters and globals, defined once: money, dates, permissions.

Helpers that need an area (the förbund's name, the history's sentences) are added by
``create_app`` (``register_template_helpers``): core imports no area."""

from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

from finsam_ansokan.core.money import format_money, format_number
from finsam_ansokan.core.permissions import can
from finsam_ansokan.core.timeutil import format_date, format_datetime

_DATE_OR_AMOUNT = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|\d{1,3}(?:[ \u00a0]\d{3})+ kr")


def unbroken(text: object) -> Markup:
    """Free text escaped, its dates and amounts kept on one line (``2027-02-28`` would
    otherwise break at a hyphen in a narrow column). Markup is left as it is."""
    if isinstance(text, Markup):
        return text
    plain, parts, last = str(text), [], 0
    for match in _DATE_OR_AMOUNT.finditer(plain):
        parts.append(escape(plain[last : match.start()]))
        parts.append(Markup('<span class="nowrap">{}</span>').format(match.group(0)))
        last = match.end()
    parts.append(escape(plain[last:]))
    return Markup("").join(parts)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["unbroken"] = unbroken
    app.jinja_env.globals["can"] = can
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
