"""``make bench``: seed a large dataset, serve it with gunicorn, load it with locust, count SQL.

    python -m benchmarks.run            # SQLite files under benchmarks/results/
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python -m benchmarks.run

Environment: ``BENCH_N`` (applications, default 10000), ``BENCH_USERS`` (default 10),
``BENCH_DURATION`` (locust run time, default 120s), ``BENCH_WAIT`` (seconds a user waits
between requests, default "0.5,1.5"; "0" floods the server), ``BENCH_DATABASE_URL`` or
``DATABASE_URL`` (PostgreSQL: the database is dropped and created, so its name must contain
"bench").
Prints one table and writes ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
SMALL_N = 100
MAX_STATEMENTS = 15
P95_MS = 100
SHARE_OF_HEALTHZ = 35
PDF_SECONDS = 2.0


def main() -> int:
    n = int(os.environ.get("BENCH_N", "10000"))
    users = int(os.environ.get("BENCH_USERS", "10"))
    duration = os.environ.get("BENCH_DURATION", "120s")
    wait = os.environ.get("BENCH_WAIT", "0.5,1.5")
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    big_url = _fresh_database(url, "bench")
    small_url = _fresh_database(url, "bench_small")

    seconds = _seed(big_url, n)
    _seed(small_url, SMALL_N)

    from benchmarks.pages import PAGES

    counts_small, _ = _count_statements(small_url)
    counts_big, urls = _count_statements(big_url)
    pdf_seconds, pdf_decisions = _minutes_pdf(big_url)

    users = max(users, len(PAGES) + 1)
    load = _load(big_url, urls, users, duration)
    healthz = load.get("/healthz", {})
    healthz_users = users - len(PAGES)
    # one user per page, the rest on /healthz: compare throughput per user
    per_user = healthz.get("rps", 0) / healthz_users
    rows = []
    for page in PAGES:
        stats = load.get(page.name, {})
        share = 100 * stats.get("rps", 0) / per_user if per_user else 0
        met = (
            share >= SHARE_OF_HEALTHZ
            and stats.get("p95", 1e9) <= P95_MS
            and counts_big[page.name] <= MAX_STATEMENTS
            and counts_big[page.name] == counts_small[page.name]
            and stats.get("failures", 1) == 0
        )
        rows.append(
            {
                "page": page.name,
                "rps": stats.get("rps", 0),
                "share_of_healthz": round(share),
                "p50_ms": stats.get("p50"),
                "p95_ms": stats.get("p95"),
                "requests": stats.get("requests", 0),
                "failures": stats.get("failures", 0),
                f"sql_at_{SMALL_N}": counts_small[page.name],
                f"sql_at_{n}": counts_big[page.name],
                "met": met,
            }
        )
    rows.append(
        {
            "page": f"/healthz ({healthz_users} users)",
            "rps": healthz.get("rps", 0),
            "share_of_healthz": 100,
            "p50_ms": healthz.get("p50"),
            "p95_ms": healthz.get("p95"),
            "requests": healthz.get("requests", 0),
            "failures": healthz.get("failures", 0),
            f"sql_at_{SMALL_N}": 1,
            f"sql_at_{n}": 1,
            "met": True,
        }
    )
    result = {
        "database": make_url(big_url).get_backend_name(),
        "applications": n,
        "users": users,
        "duration": duration,
        "wait_seconds": wait,
        "seed_seconds": round(seconds, 1),
        "minutes_pdf": {
            "decisions": pdf_decisions,
            "seconds": round(pdf_seconds, 2),
            "met": pdf_seconds <= PDF_SECONDS,
        },
        "machine": _machine(),
        "pages": rows,
    }
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    _print(result, n)
    return 0 if all(r["met"] for r in rows) and result["minutes_pdf"]["met"] else 1


# --- databases ---------------------------------------------------------------------------


def _fresh_database(url: str | None, name: str) -> str:
    """A new, empty database called ``name``: a SQLite file, or dropped and created on
    PostgreSQL (only databases whose name says bench are ever dropped)."""
    if not url or url.startswith("sqlite"):
        path = RESULTS / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    name = f"{parsed.database}_small" if name == "bench_small" else parsed.database
    if "bench" not in (name or ""):
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FINSAM_ENV")}
    env.update(DATABASE_URL=url, **extra)
    return env


def _seed(url: str, n: int) -> float:
    flask = [str(BIN / "flask"), "--app", "finsam_ansokan"]
    subprocess.run([*flask, "db", "upgrade"], env=_env(url), check=True, capture_output=True)
    started = time.perf_counter()
    out = subprocess.run(
        [*flask, "demo", "--scale", str(n)], env=_env(url), check=True, capture_output=True
    )
    seconds = time.perf_counter() - started
    print(f"seeded {n} applications: {out.stdout.decode().strip()}", flush=True)
    return seconds


def _app(url: str):
    from finsam_ansokan import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "100000 per minute",
            "SECRET_KEY": secrets.token_hex(32),
        }
    )


_CLIENTS: dict[tuple[int, str], object] = {}


def _signed_in(app, email: str, password: str):
    """A test client signed in as ``email`` (one per user and app: a code works once)."""
    from benchmarks.signin import sign_in

    key = (id(app), email)
    if key not in _CLIENTS:
        client = app.test_client()
        sign_in(client.get, lambda path, data: client.post(path, data=data), email, password)
        _CLIENTS[key] = client
    return _CLIENTS[key]


# --- SQL statements per page, in-process ---------------------------------------------------


def _count_statements(url: str) -> tuple[dict[str, int], dict[str, list[str]]]:
    from benchmarks.pages import PAGES, PASSWORD
    from benchmarks.querycount import count_statements
    from finsam_ansokan.extensions import db

    app = _app(url)
    counts: dict[str, int] = {}
    urls: dict[str, list[str]] = {}
    with app.app_context():
        engine = db.engine
        for page in PAGES:
            urls[page.name] = [page.email, page.url()]
    # each request in an app context of its own, as under gunicorn (``g`` holds the user)
    for page in PAGES:
        target = urls[page.name][1]
        client = _signed_in(app, page.email, PASSWORD)
        client.get(target)  # warm: templates compiled, caches filled
        with count_statements(engine) as statements:
            response = client.get(target)
        if response.status_code != 200:
            raise SystemExit(f"{page.name}: {target} answered {response.status_code}")
        counts[page.name] = statements.count
    engine.dispose()
    return counts, urls


# --- the minutes PDF of a meeting with 40 decisions ----------------------------------------


def _minutes_pdf(url: str) -> tuple[float, int]:
    from benchmarks.pages import PASSWORD
    from finsam_ansokan.extensions import db
    from finsam_ansokan.meetings.models import AgendaItem, Decision

    app = _app(url)
    with app.app_context():
        meeting_id, decisions = db.session.execute(
            select(AgendaItem.meeting_id, func.count(Decision.id))
            .join(Decision, Decision.agenda_item_id == AgendaItem.id)
            .group_by(AgendaItem.meeting_id)
            .order_by(func.count(Decision.id).desc())
            .limit(1)
        ).one()
        engine = db.engine
    client = _signed_in(app, "kansli@varend.example", PASSWORD)
    target = f"/sammantraden/{meeting_id}/protokoll.pdf"
    client.get(target)  # warm: fonts and stylesheets
    started = time.perf_counter()
    response = client.get(target)
    seconds = time.perf_counter() - started
    if response.status_code != 200 or not response.data.startswith(b"%PDF"):
        raise SystemExit(f"minutes PDF: {target} answered {response.status_code}")
    engine.dispose()
    return seconds, decisions


# --- load: gunicorn with 2 workers, locust headless ------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load(url: str, urls: dict[str, list[str]], users: int, duration: str) -> dict[str, dict]:
    port = _free_port()
    env = _env(
        url,
        SECRET_KEY=secrets.token_hex(32),
        LOGIN_RATE_LIMIT="100000 per minute",
        BENCH_PAGES=json.dumps(urls),
    )
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    prefix = RESULTS / "locust"
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz")
        locust = subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(users),
                "--run-time",
                duration,
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "5",
            ],
            env=env,
            check=False,
            timeout=600,
            capture_output=True,
        )
        (RESULTS / "locust.log").write_bytes(locust.stdout + locust.stderr)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    stats = {}
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust wrote no statistics; see {RESULTS / 'locust.log'}")
    with open(f"{prefix}_stats.csv", newline="") as f:
        for row in csv.DictReader(f):
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rps": round(float(row["Requests/s"]), 1),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
            }
    return stats


def _wait_for(address: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(address, timeout=2) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {address} within {seconds} s")


# --- the table -----------------------------------------------------------------------------


def _machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    load = os.getloadavg()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "python": platform.python_version(),
        "load_average_at_end": f"{load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
    }


def _print(result: dict, n: int) -> None:
    header = (
        f"{'page':32} {'req/s':>7} {'% hz':>5} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'SQL@' + str(SMALL_N):>8} {'SQL@' + str(n):>9}  met"
    )
    print()
    print(
        f"{result['database']}, {n} applications, {result['users']} users waiting "
        f"{result['wait_seconds'].replace(',', '–')} s between requests, "
        f"{result['duration']}; seeded in {result['seed_seconds']} s"
    )
    print(header)
    print("-" * len(header))
    for r in result["pages"]:
        print(
            f"{r['page']:32} {r['rps']:7.1f} {r['share_of_healthz']:5} {r['p50_ms'] or 0:7.0f} "
            f"{r['p95_ms'] or 0:7.0f} {r[f'sql_at_{SMALL_N}']:8} {r[f'sql_at_{n}']:9}  "
            f"{'yes' if r['met'] else 'NO'}"
        )
    pdf = result["minutes_pdf"]
    print(
        f"minutes PDF, {pdf['decisions']} decisions: {pdf['seconds']:.2f} s  "
        f"{'yes' if pdf['met'] else 'NO'}"
    )
    m = result["machine"]
    print(f"machine: {m['cpus']} × {m['cpu']}, load {m['load_average_at_end']}")
    print(f"written to {RESULTS / 'latest.json'}")


if __name__ == "__main__":
    sys.exit(main())
