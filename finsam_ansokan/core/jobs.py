"""Background jobs: work too long for a web request (the yearly archive), done by a worker.

A page queues a job, a row in ``jobs``, in the request's own transaction and shows the
job's state from then on. ``flask --app finsam_ansokan jobs run``, run from a systemd timer
like ``mail send``, does the queued jobs one at a time:

- it *claims* a job with a conditional UPDATE (``… WHERE status = 'queued'``), so two
  workers (overlapping timers, two hosts) never take the same job;
- it reports progress as it goes, each report committed, so the page can show it;
- it writes the result to a temporary file and keeps it in the file store
  (:mod:`.storage`), under a generated key; a newer result of the same job replaces the
  older one (its file is deleted);
- a failure marks the job failed, with the error for the log and the operator; a worker
  that died leaves its job running without progress, and the next run queues it again
  (``JOB_STALE_MINUTES``), at most ``MAX_ATTEMPTS`` times.

The worker is the command line's loop, not a service: like ``flask mail send`` it commits,
here several times (the claim, each progress report, the outcome), each its own transaction.
Areas register the kinds of job they run (:func:`register`), as they register archive
contributors: core imports no area.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import IO, Any, BinaryIO

from flask import current_app
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finsam_ansokan.core.storage import StorageError, attachment_storage, new_key
from finsam_ansokan.core.timeutil import as_local, utcnow
from finsam_ansokan.extensions import db

MAX_ATTEMPTS = 3


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "queued": "Väntar på tur",
            "running": "Skapas",
            "done": "Klart",
            "failed": "Misslyckades",
        }[self.value]


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_valid"),
        CheckConstraint("progress >= 0 AND (total IS NULL OR total >= 0)", name="progress_valid"),
        Index("ix_jobs_kind_key", "kind", "key", "id"),
        Index("ix_jobs_status", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What the job does (a registered :class:`JobKind`), e.g. ``"archive"``.
    kind: Mapped[str] = mapped_column(String(40))
    #: What it is about, so a page finds the latest job of its kind: the year ``"2026"``.
    key: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED.value)
    #: Steps done of ``total`` (the files written of those in the archive).
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The result in the file store: its key, the file name a download gets, its size.
    result_key: Mapped[str | None] = mapped_column(String(128))
    result_name: Mapped[str | None] = mapped_column(String(200))
    result_size: Mapped[int | None] = mapped_column(BigInteger)
    #: Why it failed (for the log and the operator; the page says it in words).
    error: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The last sign of life: the claim or the latest progress report.
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    requested_by = relationship("User")

    @property
    def status_label(self) -> str:
        return JobStatus(self.status).label

    @property
    def pending(self) -> bool:
        return self.status in (JobStatus.QUEUED.value, JobStatus.RUNNING.value)

    @property
    def running(self) -> bool:
        return self.status == JobStatus.RUNNING.value

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED.value

    def queued_longer_than(self, limit: timedelta) -> bool:
        """Still waiting for a worker after ``limit``: perhaps none is running."""
        return (
            self.status == JobStatus.QUEUED.value and utcnow() - as_local(self.created_at) > limit
        )

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, self.progress * 100 // self.total)


#: ``report(done, total)``: how far a running job has come.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: ``run(params, out, report)`` writes the result to ``out`` and returns
    the file name a download gets; ``mimetype`` is the result's type."""

    name: str
    run: Callable[[dict[str, Any], IO[bytes], Progress], str]
    mimetype: str


_kinds: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    """Add (or replace: tests create many apps) a kind of job."""
    _kinds[kind.name] = kind


def kind_of(job: Job) -> JobKind | None:
    return _kinds.get(job.kind)


# --- what the pages call -------------------------------------------------------------------


def enqueue(kind: str, key: str, params: dict[str, Any], *, actor: Any) -> Job:
    """Queue a job (flushes; the request commits). A job of the same kind and key that is
    still queued or running is the answer instead: asking twice builds once."""
    if kind not in _kinds:
        raise ValueError(f"unknown job kind {kind!r}")
    waiting = db.session.scalar(
        select(Job)
        .where(
            Job.kind == kind,
            Job.key == key,
            Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
        )
        .order_by(Job.id.desc())
        .limit(1)
    )
    if waiting is not None:
        return waiting
    job = Job(
        kind=kind,
        key=key,
        params=params,
        status=JobStatus.QUEUED.value,
        requested_by_id=actor.id if actor is not None else None,
    )
    db.session.add(job)
    db.session.flush()
    return job


def latest(kind: str, key: str, *, done: bool = False) -> Job | None:
    """The newest job of ``kind`` about ``key``; ``done``: the newest with a result."""
    query = select(Job).where(Job.kind == kind, Job.key == key)
    if done:
        query = query.where(Job.status == JobStatus.DONE.value, Job.result_key.is_not(None))
    return db.session.scalar(query.order_by(Job.id.desc()).limit(1))


def open_result(job: Job) -> BinaryIO:
    """The result's bytes (raises ``StorageError`` when the store has lost them)."""
    if job.result_key is None:
        raise StorageError(f"job {job.id} has no result")
    return attachment_storage().open(job.result_key)


# --- the worker ----------------------------------------------------------------------------


@dataclass
class RunResult:
    done: int = 0
    failed: int = 0
    requeued: int = 0


def run_pending(*, limit: int = 10, now: datetime | None = None) -> RunResult:
    """Do up to ``limit`` queued jobs, oldest first (the worker; commits)."""
    result = RunResult(requeued=_requeue_stale(now or utcnow()))
    db.session.commit()
    for _ in range(limit):
        job_id = _claim_next()
        if job_id is None:
            break
        if _run(job_id):
            result.done += 1
        else:
            result.failed += 1
    return result


def _requeue_stale(now: datetime) -> int:
    """Jobs whose worker died (running, no sign of life for ``JOB_STALE_MINUTES``): queued
    again, or failed after ``MAX_ATTEMPTS``."""
    limit = now - timedelta(minutes=int(current_app.config.get("JOB_STALE_MINUTES", 30)))
    stale = list(
        db.session.scalars(
            select(Job).where(Job.status == JobStatus.RUNNING.value, Job.updated_at < limit)
        )
    )
    for job in stale:
        if job.attempts >= MAX_ATTEMPTS:
            job.status = JobStatus.FAILED.value
            job.finished_at = now
            job.error = f"the worker stopped {job.attempts} times without finishing"
        else:
            job.status = JobStatus.QUEUED.value
    db.session.flush()
    return len(stale)


def _claim_next() -> int | None:
    """Take the oldest queued job: the conditional UPDATE lets exactly one worker have it."""
    candidates = db.session.scalars(
        select(Job.id).where(Job.status == JobStatus.QUEUED.value).order_by(Job.id).limit(5)
    ).all()
    db.session.commit()
    for job_id in candidates:
        now = utcnow()
        claimed = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED.value)
            .values(
                status=JobStatus.RUNNING.value,
                started_at=now,
                updated_at=now,
                progress=0,
                attempts=Job.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
        if claimed:
            return job_id
    return None


def _reporter(job_id: int) -> Progress:
    def report(done: int, total: int) -> None:
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(progress=done, total=total, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()  # the page reads it from another transaction

    return report


def _run(job_id: int) -> bool:
    """Do one claimed job; True when it is done."""
    job = db.session.get(Job, job_id)
    kind = kind_of(job)
    params = dict(job.params or {})
    storage = attachment_storage()
    key = new_key()
    try:
        if kind is None:
            raise LookupError(f"no job kind {job.kind!r} is registered")
        with tempfile.TemporaryFile() as out:
            name = kind.run(params, out, _reporter(job_id))
            size = out.tell()
            out.seek(0)
            storage.save(key, out)
    except Exception as error:
        db.session.rollback()
        with suppress(StorageError, OSError):
            storage.delete(key)
        current_app.logger.exception("job %s (%s) failed", job_id, job.kind)
        _finish(job_id, JobStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000])
        return False
    replaced = _finish(job_id, JobStatus.DONE, result_key=key, result_name=name, result_size=size)
    for old_key in replaced:  # after the commit: a newer result stands in for them
        with suppress(StorageError, OSError):
            storage.delete(old_key)
    return True


def _finish(job_id: int, status: JobStatus, **values: Any) -> list[str]:
    """Record the outcome (commits); returns the store keys of older results it replaced."""
    job = db.session.get(Job, job_id)
    job.status = status.value
    job.finished_at = utcnow()
    job.updated_at = job.finished_at
    for name, value in values.items():
        setattr(job, name, value)
    replaced: list[str] = []
    if status is JobStatus.DONE:
        job.progress = job.total or job.progress
        older = db.session.scalars(
            select(Job).where(
                Job.kind == job.kind,
                Job.key == job.key,
                Job.id < job.id,
                Job.result_key.is_not(None),
            )
        )
        for old in older:
            replaced.append(old.result_key)
            old.result_key = None
    db.session.commit()
    return replaced
