"""Jinja filters and globals, defined once: money, dates, permissions.

Helpers that need an area (the förbund's name, the history's sentences) are added by
``create_app`` (``register_template_helpers``): core imports no area."""

from __future__ import annotations

from flask import Flask

from finsam_ansokan.core.money import format_money, format_number
from finsam_ansokan.core.permissions import can
from finsam_ansokan.core.timeutil import format_date, format_datetime


def init_app(app: Flask) -> None:
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["can"] = can
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
