"""A real OpenID provider for the tests: ``python -m oidc_provider_mock`` in a process of
its own on 127.0.0.1, with a few predefined users."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

USERS = [
    # a provider may say anything; the förbund's roles are what count
    {"sub": "anna-123", "email": "anna@alvesta.se", "name": "Anna Alvesta", "roles": ["admin"]},
    {"sub": "ny-456", "email": "ny@alvesta.se", "name": "Nora Ny"},
    {"sub": "fel-789", "email": "someone@elsewhere.example"},
]


@contextmanager
def provider_process(*, token_max_age: int = 3600) -> Iterator[str]:
    """A real OpenID provider process on 127.0.0.1 (``python -m oidc_provider_mock``)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    args = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1"]
    args += ["--port", str(port), "--require-nonce", "--token-max-age", str(token_max_age)]
    for user in USERS:
        args += ["--user-claims", json.dumps(user)]
    process = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                pytest.fail(f"the OpenID provider exited: {process.stderr.read().decode()}")
            try:
                if requests.get(f"{url}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("the OpenID provider did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()
