"""Background jobs: the archive page queues the year's package, the worker (``flask jobs
run``) builds it with progress the page shows, and the page offers the download when done.
A failure says so on the page; a dead worker's job is taken up again; two workers never
do the same job."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core import jobs
from finsam_ansokan.core.jobs import Job, JobKind
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.exports import archive
from finsam_ansokan.extensions import db

YEAR = 2004  # a year of its own: no other test's archive


def _page(client, year: int = YEAR) -> str:
    response = client.get(f"/arkiv/{year}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _job(year: int = YEAR) -> Job:
    db.session.expire_all()
    return archive.latest_job(year)


def _download(client, year: int = YEAR):
    response = client.get(f"/arkiv/{year}.zip")
    response.get_data()
    response.close()
    return response


def test_the_archive_page_queues_the_build_shows_progress_and_offers_the_download(factory, login):
    client = login(factory.user(Role.KANSLI, name="Karin Kansli"))
    page = _page(client)
    assert "Inget arkivpaket har skapats för 2004" in page
    assert f"Skapa arkivpaket för {YEAR}" in page
    assert _download(client).status_code == 404  # nothing built yet

    asked = client.post(f"/arkiv/{YEAR}")
    assert asked.status_code == 303
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "skapas nu i bakgrunden" in page
    assert "Väntar på tur" in page and "av Karin Kansli" in page
    assert "Uppdatera sidan" in page  # no script needed to follow it
    assert "Ladda ner" not in page and "Skapa arkivpaket" not in page

    # the worker has taken it and written 3 of 10 files
    job_id = jobs._claim_next()
    assert job_id == _job().id
    jobs._reporter(job_id)(3, 10)
    page = _page(client)
    assert "Skapas" in page and "3 av 10 (30 %)" in page
    assert '<progress id="framsteg" max="10" value="3">' in page

    db.session.execute(update(Job).where(Job.id == job_id).values(status="queued"))
    result = jobs.run_pending()
    assert (result.done, result.failed) == (1, 0)
    page = _page(client)
    assert f"Ladda ner arkiv-{YEAR}.zip" in page
    assert f"Skapa ett nytt arkivpaket för {YEAR}" in page
    download = _download(client)
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert f"filename=arkiv-{YEAR}.zip" in download.headers["Content-Disposition"]
    assert download.data.startswith(b"PK")


def test_asking_again_while_the_package_is_built_queues_nothing_more(factory, login):
    client = login(factory.user(Role.REVISOR))
    client.post(f"/arkiv/{YEAR}")
    client.post(f"/arkiv/{YEAR}")
    jobs_of_the_year = db.session.scalars(select(Job).where(Job.key == str(YEAR))).all()
    assert [j.status for j in jobs_of_the_year] == ["queued"]
    assert "väntat länge" not in _page(client)
    # no worker has come for a quarter of an hour: the page says where to look
    jobs_of_the_year[0].created_at = utcnow() - timedelta(minutes=15)
    db.session.commit()
    assert "Beställningen har väntat länge" in _page(client)


def test_a_build_that_fails_says_so_on_the_page_and_can_be_asked_for_again(
    factory, login, monkeypatch
):
    def broken(year, out, progress=None):
        raise RuntimeError("the PDF renderer fell over")

    monkeypatch.setattr(archive, "build", broken)
    client = login(factory.user(Role.KANSLI))
    client.post(f"/arkiv/{YEAR}")
    result = jobs.run_pending()
    assert (result.done, result.failed) == (0, 1)
    job = _job()
    assert job.status == "failed" and "fell over" in job.error
    page = _page(client)
    assert "Paketet kunde inte skapas" in page
    assert "fell over" not in page  # the details are for the log
    assert f"Skapa arkivpaket för {YEAR}" in page
    assert _download(client).status_code == 404


def test_a_store_that_refuses_the_package_fails_the_job_not_the_worker(
    app, factory, login, monkeypatch
):
    class FullDisk:
        def save(self, key, stream):
            raise OSError(28, "No space left on device")

        def delete(self, key):
            pass

    monkeypatch.setitem(app.extensions, "attachment_storage", FullDisk())
    client = login(factory.user(Role.KANSLI))
    client.post(f"/arkiv/{YEAR}")
    assert jobs.run_pending().failed == 1
    assert _job().status == "failed"
    assert "No space left" in _job().error


def test_a_newer_package_replaces_the_older_file(app, factory, login):
    client = login(factory.user(Role.KANSLI))
    client.post(f"/arkiv/{YEAR}")
    jobs.run_pending()
    first = _job()
    first_key = first.result_key
    client.post(f"/arkiv/{YEAR}")
    jobs.run_pending()
    second = _job()
    db.session.refresh(first)
    assert second.id != first.id and second.result_key
    assert first.result_key is None
    store = app.extensions["attachment_storage"]
    assert not store.exists(first_key) and store.exists(second.result_key)
    assert _download(client).status_code == 200


def test_a_job_whose_worker_died_is_taken_up_again_and_given_up_after_three_tries(
    app, factory, login
):
    client = login(factory.user(Role.KANSLI))
    client.post(f"/arkiv/{YEAR}")
    job = _job()
    long_ago = utcnow() - timedelta(minutes=app.config["JOB_STALE_MINUTES"] + 1)
    # the worker claimed it and died: running, no sign of life since
    db.session.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(status="running", attempts=1, updated_at=long_ago)
    )
    result = jobs.run_pending()
    assert (result.requeued, result.done) == (1, 1)
    assert _job().status == "done" and _job().attempts == 2

    client.post(f"/arkiv/{YEAR}")
    again = _job()
    db.session.execute(
        update(Job)
        .where(Job.id == again.id)
        .values(status="running", attempts=jobs.MAX_ATTEMPTS, updated_at=long_ago)
    )
    jobs.run_pending()
    assert _job().status == "failed"
    assert "Paketet kunde inte skapas" in _page(client)


def test_the_worker_runs_from_the_command_line(factory, login, runner):
    login(factory.user(Role.KANSLI)).post(f"/arkiv/{YEAR}")
    result = runner.invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert "Klara 1, misslyckades 0" in result.output
    assert _job().status == "done"


def test_a_year_outside_the_archive_is_404(factory, login):
    client = login(factory.user(Role.KANSLI))
    assert client.get("/arkiv/1999").status_code == 404
    assert client.post("/arkiv/2101").status_code == 404


# --- two workers at once (real commits, a database of its own) ---------------------------------


@pytest.mark.real_commits
def test_two_workers_at_once_do_each_job_exactly_once(isolated_app: Flask):
    app = isolated_app
    done: list[int] = []

    def count(params, out, progress):
        progress(1, 1)
        done.append(params["n"])
        out.write(b"ok")
        return f"{params['n']}.txt"

    jobs.register(JobKind("count", count, "text/plain"))
    with app.app_context():
        for n in range(6):
            jobs.enqueue("count", str(n), {"n": n}, actor=None)
        db.session.commit()
        db.session.remove()

    barrier = threading.Barrier(2, timeout=30)
    results = []

    def worker():
        with app.app_context():
            barrier.wait()
            results.append(jobs.run_pending(limit=10))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(done) == list(range(6))  # each once
    assert sum(r.done for r in results) == 6
    with app.app_context():
        statuses = db.session.scalars(select(Job.status).where(Job.kind == "count")).all()
        db.session.remove()
    assert statuses == ["done"] * 6
