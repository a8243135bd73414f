"""Sökt belopp has one rule: costs − co-funding per year, not clamped. The list's SQL, the
application's sums, the PDF, the version comparison and the statistics all say the same,
even for a draft whose co-funding is larger than its costs (which cannot be submitted)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from finsam_ansokan.applications import compare, pdf, queries
from finsam_ansokan.applications.models import Application, BudgetLine
from finsam_ansokan.applications.requested import requested_by_year
from finsam_ansokan.applications.services import completeness_problems, snapshot
from finsam_ansokan.extensions import db


def test_every_reader_of_sokt_belopp_agrees_on_a_draft_with_more_co_funding_than_costs(factory):
    application = factory.application(title="Överfinansierad", first_year=2026, last_year=2027)
    application.budget_lines += [
        BudgetLine(year=2026, category="personal", amount=Decimal("100000")),
        BudgetLine(year=2026, category="medfinansiering", amount=Decimal("150000")),
        BudgetLine(year=2027, category="personal", amount=Decimal("400000")),
        BudgetLine(year=2027, category="medfinansiering", amount=Decimal("100000")),
    ]
    db.session.flush()
    expected = {2026: Decimal("-50000"), 2027: Decimal("300000")}

    content = snapshot(application)
    assert requested_by_year(content["budget_lines"]) == expected
    assert queries.budget_sums(application.id).requested == expected
    listed = db.session.scalar(
        select(Application)
        .options(queries.with_requested())
        .where(Application.id == application.id)
    )
    assert listed.requested == Decimal("250000") == sum(expected.values())
    document = pdf.document_from_content(
        content, status="utkast", version_line="Utkast", forbund=None
    )
    assert {t.year: t.requested for t in document.budget} == expected
    text = compare.budget_text(content["budget_lines"])
    assert "Sökt belopp 2026: −50 000 kr" in text.replace("-", "−").replace("\u00a0", " ")
    assert "Sökt belopp totalt: 250 000 kr" in text.replace("\u00a0", " ")
    # and the negative year is what keeps it from being submitted
    assert any("Medfinansieringen 2026" in p.message for p in completeness_problems(application))
