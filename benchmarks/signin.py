"""Signing in a benchmark user through the real forms; the demo kansli and admin give their
second-factor code as well (``finsam_ansokan.demo.demo_code``)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from finsam_ansokan.demo import demo_code

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _token(get: Callable[[str], Any], path: str) -> str | None:
    match = _CSRF.search(get(path).text)
    return match[1] if match else None


def sign_in(get: Callable[[str], Any], post: Callable[[str, dict], Any], email: str, password: str):
    """``get(path)`` and ``post(path, data)`` without following redirects (a Flask test
    client or Locust's). Returns the last response: a 302 when signed in."""
    response = post(
        "/logga-in",
        {"email": email, "password": password, "csrf_token": _token(get, "/logga-in")},
    )
    if response.status_code != 302 or not response.headers["Location"].endswith("/kod"):
        return response
    for _ in range(3):
        code = demo_code(email)
        response = post("/logga-in/kod", {"code": code, "csrf_token": _token(get, "/logga-in/kod")})
        if response.status_code == 302:
            break
        time.sleep(30.5 - time.time() % 30)  # another process used this step: the next one
    return response
