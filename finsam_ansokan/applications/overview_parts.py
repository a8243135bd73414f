"""What areas above applications add to the application page (the follow-up's money and
reports).

The application page cannot import those areas (they import applications), so each one
registers a function here when its routes are imported, as the archive contributors do.
The page's route calls every function with the user and the application; the function
returns what its part of the page shows, or ``None`` when the user is not to see it (its
own policy decides). The template finds the value under the registered name and only shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PartFunction = Callable[[Any, Any], Any]

_parts: dict[str, PartFunction] = {}


def register(name: str, function: PartFunction) -> None:
    """``function(user, application)`` gives the template variable ``name`` on the
    application page (``None``: the part is not shown)."""
    _parts[name] = function


def for_overview(user: Any, application: Any) -> dict[str, Any]:
    return {name: function(user, application) for name, function in _parts.items()}


#: Parts of a section page (its editable form and its read-only view): ``function(user,
#: application, section)`` returns a dict of template variables (the section's comments).
SectionPartFunction = Callable[[Any, Any, Any], dict[str, Any]]

_section_parts: list[SectionPartFunction] = []


def register_section(function: SectionPartFunction) -> None:
    if function not in _section_parts:
        _section_parts.append(function)


def for_section(user: Any, application: Any, section: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for function in _section_parts:
        result.update(function(user, application, section))
    return result
