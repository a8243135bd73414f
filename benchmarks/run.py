"""``make bench``: how fast each key page is, measured honestly.

    python -m benchmarks.run saturation   # default: each page alone at saturation vs /healthz
    python -m benchmarks.run growth       # in-process ms and SQL statements at 1 000 … 50 000
    python -m benchmarks.run capacity     # think-time users (locust): a capacity figure only
    python -m benchmarks.run inprocess    # growth's figures for the database as it is (no seeding)

**saturation** seeds ``BENCH_N`` (10 000) applications in a fresh database, serves it with
gunicorn (2 sync workers, ``gunicorn.conf.py``) and loads it with wrk (closed loop, no think
time, ``BENCH_CONNECTIONS`` = 10 connections, ``BENCH_SECONDS`` = 5 s a measurement). Each page
is measured alone, with ``/healthz`` measured right before and right after it in the same run;
its share is its req/s against the mean of those two. ``BENCH_ROUNDS`` (3) rounds; every figure
printed is the median over the rounds.

After seeding, a PostgreSQL database is vacuumed and analysed (``_analyze``), as autovacuum
would do on a live one, so the plans do not depend on whether autovacuum ran in between.

**growth** grows one database through ``BENCH_SIZES`` (1000,10000,50000) applications and, at
each size, times every page in-process (the test client, no HTTP: the median of
``BENCH_REPEAT`` = 15 requests after two warm ones) and counts its SQL statements.

**capacity** is the old think-time run (locust users waiting ``BENCH_WAIT`` = 0.5–1.5 s): it
says how many such users the server carries, not how fast a page is.

The database comes from ``BENCH_DATABASE_URL`` (or ``DATABASE_URL``); PostgreSQL databases are
dropped and created, so the name must contain "bench". SQLite files go under
``benchmarks/results/``; gunicorn listens on ``BENCH_PORT`` (default: any free port);
``BENCH_SEED=0`` measures a PostgreSQL database as it is (seeded
before with ``flask demo --scale N``). Results are written to
``benchmarks/results/<mode>.json``.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BIN = Path(sys.executable).parent
PASSWORD = "demo-finsam-ansokan"  # noqa: S105 - the demo's published password

#: Targets of issue 16, checked here and nowhere else (no timed tests).
LIST_SHARE, STATISTICS_SHARE, OTHER_SHARE, P99_MS, GROWTH = 30, 20, 15, 150, 1.5


def main(argv: list[str]) -> int:
    mode = argv[0] if argv else "saturation"
    RESULTS.mkdir(parents=True, exist_ok=True)
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if mode == "saturation":
        return saturation(url)
    if mode == "growth":
        return growth(url)
    if mode == "capacity":
        return capacity(url)
    if mode == "inprocess":
        return inprocess(url)
    raise SystemExit(f"unknown mode {mode!r}: saturation, growth, capacity or inprocess")


# --- saturation: wrk, each page alone, /healthz before and after ---------------------------------


def saturation(url: str | None) -> int:
    n = int(os.environ.get("BENCH_N", "10000"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    seconds = int(os.environ.get("BENCH_SECONDS", "5"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "10"))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    if os.environ.get("BENCH_SEED") == "0":  # measure the database as it is
        db_url = make_url(url or "").set(drivername="postgresql+psycopg").render_as_string(False)
        seed_seconds = 0.0
    else:
        db_url = _fresh_database(url, "bench")
        seed_seconds = _seed(db_url, n)
    urls = _page_urls(db_url)
    runs: dict[str, list[dict]] = {name: [] for name in urls}
    runs["/healthz"] = []
    with _gunicorn(db_url) as base:
        cookies = {email: _login(base, email) for email, _ in urls.values()}
        for name, (email, path) in urls.items():
            _check(base, path, cookies[email], name)
        for round_ in range(1, rounds + 1):
            print(f"round {round_}/{rounds}", flush=True)
            before = _wrk(base, "/healthz", None, seconds, connections)
            runs["/healthz"].append(before)
            for name, (email, path) in urls.items():
                page = _wrk(base, path, cookies[email], seconds, connections)
                after = _wrk(base, "/healthz", None, seconds, connections)
                runs["/healthz"].append(after)
                baseline = (before["rps"] + after["rps"]) / 2
                if baseline == 0 or page["rps"] == 0:
                    raise SystemExit(f"{name}: no request answered within {seconds} s")
                page["share"] = 100 * page["rps"] / baseline
                runs[name].append(page)
                print(
                    f"  {name:34} {page['rps']:7.1f} req/s  p99 {page['p99_ms']:6.0f} ms  "
                    f"{page['share']:5.1f} % of /healthz",
                    flush=True,
                )
                before = after
    rows = []
    for name, measured in runs.items():
        row = {
            "page": name,
            "rps": _median(measured, "rps"),
            "p50_ms": _median(measured, "p50_ms"),
            "p99_ms": _median(measured, "p99_ms"),
            "share_of_healthz": 100.0 if name == "/healthz" else _median(measured, "share"),
            "errors": sum(m["errors"] for m in measured),
        }
        target = _share_target(name)
        row["target_share"] = target
        row["met"] = (
            row["errors"] == 0 and row["p99_ms"] <= P99_MS and row["share_of_healthz"] >= target
        )
        rows.append(row)
    result = {
        "mode": "saturation",
        "database": make_url(db_url).get_backend_name(),
        "applications": n,
        "rounds": rounds,
        "seconds_per_measurement": seconds,
        "connections": connections,
        "seed_seconds": round(seed_seconds, 1),
        "machine": _machine(),
        "pages": rows,
    }
    _write("saturation", result)
    _print_saturation(result)
    return 0 if all(r["met"] for r in rows) else 1


def _share_target(name: str) -> float:
    if name == "/healthz":
        return 0
    if name.startswith("application list"):
        return LIST_SHARE
    if name == "statistics":
        return STATISTICS_SHARE
    return OTHER_SHARE


_WRK_REPORT = ROOT / "benchmarks" / "wrk_report.lua"


def _wrk(base: str, path: str, cookie: str | None, seconds: int, connections: int) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(_WRK_REPORT)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(  # noqa: S607 - Debian's wrk from PATH
        [*command, base + path], check=True, capture_output=True, text=True
    ).stdout
    report = json.loads(out[out.index("WRK_JSON ") + 9 :].splitlines()[0])
    return {
        "rps": report["requests"] / (report["duration_us"] / 1e6),
        "p50_ms": report["p50_us"] / 1000,
        "p99_ms": report["p99_us"] / 1000,
        "errors": report["errors"],
    }


def _median(measured: list[dict], key: str) -> float:
    return round(statistics.median(m[key] for m in measured), 1)


def _login(base: str, email: str) -> str:
    """Sign in through the real forms (with the demo's second factor where the role needs
    one, ``benchmarks.signin``); the Cookie header that carries the session."""
    import requests

    from benchmarks.signin import sign_in

    session = requests.Session()
    response = sign_in(
        lambda path: session.get(base + path, timeout=60),
        lambda path, data: session.post(base + path, data=data, allow_redirects=False, timeout=60),
        email,
        PASSWORD,
    )
    if response.status_code != 302:
        raise SystemExit(f"signing in as {email} failed: {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def _check(base: str, path: str, cookie: str, name: str) -> None:
    """The page answers 200 to its role (wrk would count a redirect to the login as success)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310
    try:
        with urllib.request.build_opener(NoRedirect).open(request) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise SystemExit(f"{name}: {path} answered {status}")


@contextmanager
def _gunicorn(db_url: str):
    port = int(os.environ.get("BENCH_PORT") or _free_port())
    env = _env(db_url, SECRET_KEY=secrets.token_hex(32), LOGIN_RATE_LIMIT="100000 per minute")
    server = subprocess.Popen(
        # --timeout: a worker loading the app on a busy machine is not killed as hung
        [str(BIN / "gunicorn"), "--workers", "2", "--timeout", "120"]
        + ["--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,  # gunicorn.conf.py: gc.freeze() in each worker
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/healthz", seconds=300)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


# --- growth: in-process ms and statements per page at several sizes -----------------------------


def growth(url: str | None) -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,50000").split(",")]
    repeat = int(os.environ.get("BENCH_REPEAT", "15"))
    db_url = _fresh_database(url, "bench_growth")
    table: dict[str, dict[int, dict]] = {}
    seeded = 0
    seed_seconds = {}
    for size in sizes:
        seed_seconds[size] = round(_seed(db_url, size - seeded), 1)
        seeded = size
        for name, figures in _in_process(db_url, repeat).items():
            table.setdefault(name, {})[size] = figures
    rows = []
    small, large = sizes[0], sizes[-1]
    for name, by_size in table.items():
        ratio = by_size[large]["ms"] / max(by_size[small]["ms"], 0.1)
        flat = by_size[large]["sql"] == by_size[small]["sql"]
        rows.append(
            {
                "page": name,
                **{f"ms_at_{s}": by_size[s]["ms"] for s in sizes},
                **{f"sql_at_{s}": by_size[s]["sql"] for s in sizes},
                "growth": round(ratio, 2),
                "met": ratio <= GROWTH and flat,
            }
        )
    result = {
        "mode": "growth",
        "database": make_url(db_url).get_backend_name(),
        "sizes": sizes,
        "repeat": repeat,
        "seed_seconds": seed_seconds,
        "machine": _machine(),
        "pages": rows,
    }
    _write("growth", result)
    _print_growth(result)
    return 0 if all(r["met"] for r in rows) else 1


def inprocess(url: str | None) -> int:
    """In-process ms and statements per page on an existing, already seeded database."""
    if not url:
        raise SystemExit("inprocess needs BENCH_DATABASE_URL of a seeded database")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    figures = _in_process(url, int(os.environ.get("BENCH_REPEAT", "15")))
    _write("inprocess", {"mode": "inprocess", "machine": _machine(), "pages": figures})
    for name, f in figures.items():
        print(f"| {name} | {f['ms']:.1f} ms | {f['sql']} |")
    return 0


def _in_process(db_url: str, repeat: int) -> dict[str, dict]:
    from benchmarks.pages import PAGES
    from benchmarks.querycount import count_statements
    from benchmarks.signin import sign_in
    from finsam_ansokan.extensions import db

    app = _app(db_url)
    with app.app_context():
        targets = {page.name: (page.email, page.url()) for page in PAGES}
        engine = db.engine
    figures = {}
    for name, (email, target) in targets.items():
        client = app.test_client()
        sign_in(client.get, partial(_post, client), email, PASSWORD)
        for _ in range(2):  # warm: templates compiled, caches filled
            client.get(target)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(target)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {target} answered {response.status_code}")
        with count_statements(engine) as statements:
            client.get(target)
        figures[name] = {"ms": round(1000 * statistics.median(times), 1), "sql": statements.count}
    engine.dispose()
    return figures


def _post(client, path: str, data: dict):
    """A test client's POST as ``benchmarks.signin`` calls it."""
    return client.post(path, data=data)


# --- capacity: think-time users with locust (a different question) -----------------------------


def capacity(url: str | None) -> int:
    """How many reading users the server carries: one locust user per page waiting
    ``BENCH_WAIT`` between requests, the rest on /healthz. Not a speed figure: the ratio
    measures the waiting."""
    n = int(os.environ.get("BENCH_N", "10000"))
    duration = os.environ.get("BENCH_DURATION", "60s")
    db_url = _fresh_database(url, "bench")
    _seed(db_url, n)
    urls = _page_urls(db_url)
    users = len(urls) + 2
    prefix = RESULTS / "locust"
    env = {"BENCH_PAGES": json.dumps(urls)}
    with _gunicorn(db_url) as base:
        subprocess.run(
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "locustfile.py"),
                "--headless",
                f"--users={users}",
                f"--spawn-rate={users}",
                f"--run-time={duration}",
                f"--host={base}",
                f"--csv={prefix}",
                "--only-summary",
            ],
            env={**os.environ, **env},
            check=False,
            capture_output=True,
            timeout=900,
        )
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = [
            {
                "page": r["Name"],
                "rps": float(r["Requests/s"]),
                "p50_ms": float(r["50%"]),
                "p95_ms": float(r["95%"]),
                "failures": int(r["Failure Count"]),
            }
            for r in csv.DictReader(f)
        ]
    result = {"mode": "capacity", "applications": n, "users": users, "pages": rows}
    result["machine"] = _machine()
    _write("capacity", result)
    print(f"CAPACITY (think time {os.environ.get('BENCH_WAIT', '0.5,1.5')} s; not speed):")
    for r in rows:
        print(f"  {r['page']:34} {r['rps']:6.1f} req/s  p95 {r['p95_ms']:6.0f} ms")
    return 0


# --- databases, seeding, the app ----------------------------------------------------------------


def _fresh_database(url: str | None, name: str) -> str:
    """A new, empty database: a SQLite file, or dropped and created on PostgreSQL (only a
    database whose name says bench is ever dropped). ``name`` "bench" is the URL's own
    database; other names are appended to it (``bench_perf`` → ``bench_perf_growth``)."""
    if not url or url.startswith("sqlite"):
        path = RESULTS / f"{name}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    database = parsed.database or ""
    if name != "bench":
        database = f"{database}{name.removeprefix('bench')}"
    if "bench" not in database:
        raise SystemExit(f"refusing to drop database {database!r}: its name must contain 'bench'")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return parsed.set(database=database).render_as_string(hide_password=False)


def _env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP", "FINSAM_ENV")}
    env.update(DATABASE_URL=url, **extra)
    return env


def _seed(url: str, n: int) -> float:
    flask = [str(BIN / "flask"), "--app", "finsam_ansokan"]
    subprocess.run([*flask, "db", "upgrade"], env=_env(url), check=True, capture_output=True)
    started = time.perf_counter()
    out = subprocess.run(
        [*flask, "demo", "--scale", str(n)],
        cwd=ROOT,
        env=_env(url),
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    print(f"seeded {n} applications: {out.stdout.decode().strip()}", flush=True)
    _analyze(url)
    return seconds


def _analyze(url: str) -> None:
    """VACUUM ANALYZE after the bulk load, as autovacuum does on a live database within a
    minute or so: the planner then knows the tables' sizes and the indexes' visibility maps
    are set (index-only scans), instead of the measurement depending on whether autovacuum
    happened to run between seeding and measuring."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


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


def _page_urls(db_url: str) -> dict[str, list[str]]:
    from benchmarks.pages import PAGES
    from finsam_ansokan.extensions import db

    app = _app(db_url)
    with app.app_context():
        urls = {page.name: [page.email, page.url()] for page in PAGES}
        db.engine.dispose()
    return urls


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


# --- output -------------------------------------------------------------------------------------


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


def _write(mode: str, result: dict) -> None:
    path = RESULTS / f"{mode}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"written to {path}")


def _print_saturation(result: dict) -> None:
    m = result["machine"]
    print()
    print(
        f"SATURATION: {result['database']}, {result['applications']} applications (seeded in "
        f"{result['seed_seconds']} s), gunicorn 2 workers, wrk {result['connections']} "
        f"connections, {result['seconds_per_measurement']} s each, medians of "
        f"{result['rounds']} rounds; {m['cpus']} × {m['cpu']}, load {m['load_average_at_end']}"
    )
    print("| page | req/s | p50 | p99 | share of `/healthz` | target | met |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | :---: |")
    for r in result["pages"]:
        target = f"≥ {r['target_share']} %" if r["target_share"] else ""
        print(
            f"| {r['page']} | {r['rps']:.1f} | {r['p50_ms']:.0f} ms | {r['p99_ms']:.0f} ms | "
            f"{r['share_of_healthz']:.1f} % | {target} | {'yes' if r['met'] else 'NO'} |"
        )


def _print_growth(result: dict) -> None:
    sizes = result["sizes"]
    m = result["machine"]
    print()
    print(
        f"GROWTH: {result['database']}, in-process (test client), median of "
        f"{result['repeat']} requests; seeded in {result['seed_seconds']} s; "
        f"load {m['load_average_at_end']}"
    )
    head = (
        " | ".join(f"ms at {s}" for s in sizes) + " | " + " | ".join(f"SQL at {s}" for s in sizes)
    )
    print(f"| page | {head} | growth | met |")
    print("| --- |" + " ---: |" * (2 * len(sizes) + 1) + " :---: |")
    for r in result["pages"]:
        ms = " | ".join(f"{r[f'ms_at_{s}']:.1f}" for s in sizes)
        sql = " | ".join(str(r[f"sql_at_{s}"]) for s in sizes)
        print(
            f"| {r['page']} | {ms} | {sql} | {r['growth']:.2f}× | {'yes' if r['met'] else 'NO'} |"
        )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
