"""Two identical instances behind a load balancer share everything that matters.

Two gunicorn processes on two ports run against one fresh PostgreSQL database and one
Redis: a user logged in on one is served by the other (the session is a signed cookie,
the user is in the database), and failed logins spread over both reach the limit together
(the counters are in Redis). Needs PostgreSQL (TEST_DATABASE_URL) and Redis (REDIS_URL for
the tests, default ``redis://127.0.0.1:6379/0``); skipped without them, except in CI.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
import requests

from ..conftest import database_url_for_tests

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "en-lang-losenfras-for-tva-instanser"  # noqa: S105
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

pytestmark = [pytest.mark.postgres, pytest.mark.real_commits]


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or 6379), timeout=3).close()
    except OSError:
        return False
    return True


@pytest.fixture
def services_available():
    url = os.environ.get("TEST_DATABASE_URL", "")
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL")
    if not _reachable(REDIS_URL):
        if in_ci:
            pytest.fail(f"CI needs Redis at {REDIS_URL} for the two-instance test")
        pytest.skip(f"needs Redis at {REDIS_URL}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "finsam_ansokan", *args],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(300):  # up to a minute: a slow, shared machine
        if process.poll() is not None:
            pytest.fail(f"gunicorn at {base} exited:\n{log.read_text()}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still starting
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn at {base} did not answer:\n{log.read_text()}")


def _login(base: str, session: requests.Session, email: str, password: str):
    page = session.get(f"{base}/logga-in", timeout=10)
    match = CSRF.search(page.text)
    assert match, f"no CSRF token on {base}/logga-in ({page.status_code}):\n{page.text[:2000]}"
    token = match.group(1)
    return session.post(
        f"{base}/logga-in",
        data={"email": email, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )


def test_two_instances_share_sessions_and_login_limits(
    services_available, tmp_path, tmp_path_factory
):
    database_url = database_url_for_tests(tmp_path_factory, suffix="_instances")
    prefix = f"finsam-test-{secrets.token_hex(6)}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),  # one key: either instance reads the other's cookie
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_RATE_LIMIT": "4 per day",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
    }
    _run(["db", "upgrade"], env)
    email = "styrelse@instanser.example"  # a role that signs in without a second factor
    _run(
        ["users", "create", "--email", email, "--name", "Kim Styrelse", "--role", "styrelse"]
        + ["--password", PASSWORD],
        env,
    )
    processes, bases, logs = [], [], []
    try:
        for n in (1, 2):
            port = _free_port()
            log = tmp_path / f"gunicorn-{n}.log"
            logs.append(log.open("w"))
            processes.append(
                subprocess.Popen(
                    [str(BIN / "gunicorn"), "--workers", "1", "--bind", f"127.0.0.1:{port}"]
                    + ["wsgi:app"],
                    env=env,
                    cwd=PROJECT_ROOT,
                    stdout=logs[-1],
                    stderr=subprocess.STDOUT,
                )
            )
            bases.append(f"http://127.0.0.1:{port}")
            _wait_until_up(bases[-1], processes[-1], log)
        one, two = bases

        # logged in on instance 1 ...
        on_one = requests.Session()
        response = _login(one, on_one, email, PASSWORD)
        assert response.status_code == 302, response.text
        cookie = on_one.cookies.get("session")
        assert cookie
        # ... served by instance 2 with that cookie alone
        fresh = requests.Session()
        start = fresh.get(
            f"{two}/", headers={"Cookie": f"session={cookie}"}, allow_redirects=False, timeout=10
        )
        assert start.status_code == 200
        assert "Kim Styrelse" in start.text
        without = requests.get(f"{two}/", allow_redirects=False, timeout=10)
        assert without.status_code == 302  # the control: no cookie, no page

        # failed logins: two on each instance use up the limit of four for both
        statuses = []
        for base in (one, two, one, two):
            statuses.append(_login(base, requests.Session(), email, "fel-losenord").status_code)
        assert statuses == [422, 422, 422, 422]
        assert _login(two, requests.Session(), email, "fel-losenord").status_code == 429
        assert _login(one, requests.Session(), email, PASSWORD).status_code == 429
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        store.close()
