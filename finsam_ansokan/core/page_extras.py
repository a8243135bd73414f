"""What areas above add to a page of an area below, without the lower area importing them.

An application's overview and section pages belong to ``applications``; the comments and the
requests shown on them belong to areas that build on ``applications`` (review, follow-up). Those
register a contributor here (as archive contributors do in ``core/archive``); the route asks for
the page's extras and passes them to its template.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

Contributor = Callable[..., dict[str, Any]]

_CONTRIBUTORS: dict[str, list[Contributor]] = defaultdict(list)


def contribute(page: str, contributor: Contributor) -> None:
    """Register ``contributor(**context) -> dict`` for ``page`` (once per process)."""
    if contributor not in _CONTRIBUTORS[page]:
        _CONTRIBUTORS[page].append(contributor)


def extras(page: str, **context: Any) -> dict[str, Any]:
    """Every registered contributor's template variables for ``page``, merged."""
    result: dict[str, Any] = {}
    for contributor in _CONTRIBUTORS[page]:
        result.update(contributor(**context))
    return result
