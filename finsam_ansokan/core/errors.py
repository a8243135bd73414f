"""Domain errors raised by services and shown to the user as a Swedish message."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused the change. ``message`` is shown to the user as is.

    ``field`` names the form field the problem belongs to, when there is one, so a route
    can put the message next to that field.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class DomainErrors(DomainError):
    """Several rules refused at once: every ``(field, message)`` is shown together, each
    beside its field, so the user fixes them in one go (the message is the first)."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__(problems[0][1], field=problems[0][0])
        self.problems = problems


class StateTransitionError(DomainError):
    """A status change that the transition table does not allow."""


class NotAllowed(DomainError):
    """The user may not do this to this object (the route answers 403)."""


class ConcurrentEditError(DomainError):
    """Someone else saved the object after this user loaded it."""


class StorageUnavailable(DomainError):
    """The file store refused to keep a file (disk full, object store down): the request
    stores nothing and answers 503 with the message."""
