"""Two people saving the same report: the one who saves second is told, in Swedish, and
nothing of theirs is stored. The lock_version check is the service's; the request only
commits or rolls back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.errors import ConcurrentEditError
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services


@pytest.fixture
def report(factory):
    owner = factory.user(Role.SOKANDE)
    project = factory.granted_project(
        owner, start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), schedule=True
    )
    return next(r for r in services.reports_for(project) if not r.is_final)


def _saved_by_someone_else_meanwhile(report) -> None:
    """Another request saved the report after this one read it: its lock_version moved."""
    db.session.execute(
        text("UPDATE reports SET lock_version = lock_version + 1 WHERE id = :id"),
        {"id": report.id},
    )


def test_a_report_saved_by_someone_else_meanwhile_is_a_concurrent_edit(app_ctx, report):
    _saved_by_someone_else_meanwhile(report)
    data = services.ReportData(lock_version=None, participants_women=3)
    with pytest.raises(ConcurrentEditError, match="Någon annan har sparat rapporten"):
        services.save_report(report, data, actor=report.application.created_by)


def test_a_report_submitted_over_someone_elses_save_is_a_concurrent_edit(app_ctx, report):
    complete = services.ReportData(
        lock_version=None,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 6, 30),
        participants_women=4,
        participants_men=5,
        goal_fulfilment="Fyra av nio i arbete.",
        gender_work="Samma stöd till alla.",
        implementation_status="Kommunen tar över.",
        costs={2026: Decimal("1000")},
    )
    services.save_report(report, complete, actor=report.application.created_by)
    _saved_by_someone_else_meanwhile(report)
    with pytest.raises(ConcurrentEditError, match="Någon annan har sparat rapporten"):
        services.submit_report(report, actor=report.application.created_by)
