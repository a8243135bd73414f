"""Load for ``make bench``: one user per key page, each logged in through the real form as
the page's role, and the remaining users on /healthz, the baseline in the same run.

``run.py`` passes the resolved URLs in ``BENCH_PAGES`` (JSON: name → [email, url]).
"""

from __future__ import annotations

import json
import os
import re

from locust import HttpUser, between, constant, task

from benchmarks.signin import sign_in

PASSWORD = os.environ.get("BENCH_PASSWORD", "demo-finsam-ansokan")


def _wait_time():
    """``BENCH_WAIT`` = "low,high" seconds a user waits between requests (default 0.5–1.5:
    a person reading a page); "0" floods the server, which then measures its queue."""
    low, _, high = os.environ.get("BENCH_WAIT", "0.5,1.5").partition(",")
    if float(low) == 0 and float(high or 0) == 0:
        return constant(0)
    return between(float(low), float(high or low))


WAIT_TIME = _wait_time()
PAGES: dict[str, list[str]] = json.loads(os.environ.get("BENCH_PAGES", "{}"))


class Healthz(HttpUser):
    """The baseline: the cheapest request the app serves (one SELECT 1). Takes the users
    left over when every page has its one (``run.py`` compares throughput per user)."""

    wait_time = WAIT_TIME

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")


def _page_user(name: str, email: str, url: str) -> type[HttpUser]:
    class PageUser(HttpUser):
        wait_time = WAIT_TIME
        fixed_count = 1

        def on_start(self) -> None:
            response = sign_in(
                lambda path: self.client.get(path, name="login"),
                lambda path, data: self.client.post(
                    path, data=data, name="login", allow_redirects=False
                ),
                email,
                PASSWORD,
            )
            if response.status_code != 302:
                raise RuntimeError(f"login as {email} failed: {response.status_code}")

        @task
        def page(self) -> None:
            self.client.get(url, name=name)

    PageUser.__name__ = PageUser.__qualname__ = "User_" + re.sub(r"\W+", "_", name)
    return PageUser


globals().update(
    {cls.__name__: cls for cls in (_page_user(n, e, u) for n, (e, u) in PAGES.items())}
)
