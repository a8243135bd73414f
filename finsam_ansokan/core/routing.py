"""Small helpers routes share."""

from __future__ import annotations

from finsam_ansokan.core.transaction import refused

__all__ = ["refused"]
