"""A seam for e-mail: an area below ``notifications`` (accounts) queues a message here, and
the outbox registers itself as the one that writes it (``notifications.services``), so
the lower area never imports the higher one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

QueueFn = Callable[..., Any]
_queue: QueueFn | None = None


def register(fn: QueueFn) -> None:
    global _queue
    _queue = fn


def queue_mail(*, to_email: str, subject: str, body: str, recipient: Any, kind: str) -> Any:
    """Queue one message in the current transaction (sent later by ``flask mail send``)."""
    if _queue is None:
        raise RuntimeError("no outbox registered (notifications.services.register_outbox)")
    return _queue(to_email=to_email, subject=subject, body=body, recipient=recipient, kind=kind)
