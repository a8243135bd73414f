"""Rules of the application form that need no database."""

from __future__ import annotations

import pytest

from finsam_ansokan.applications.compare import budget_text, changes, word_diff
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.sections import SECTIONS, Kind, party_count


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([], 0),
        (["kommun"], 1),
        (["kommun", "kommun", "kommun"], 1),
        (["kommun", "stat"], 2),
        (["stat", "stat"], 2),  # Försäkringskassan and Arbetsförmedlingen are two parties
        (["region", "kommun", "kommun"], 2),
        (["region", "stat", "kommun"], 3),
    ],
)
def test_several_kommuner_count_as_one_party(kinds, expected):
    assert party_count(kinds) == expected


def test_every_declared_field_is_a_column_of_the_application():
    columns = set(Application.__table__.columns.keys())
    for section in SECTIONS:
        for spec in section.fields:
            if spec.kind not in (Kind.PARTIES, Kind.BUDGET):
                assert spec.name in columns, spec.name


def test_every_field_needed_at_submission_says_what_is_missing_in_swedish():
    for section in SECTIONS:
        for spec in section.fields:
            assert spec.missing is None or spec.missing.endswith(".")


def test_free_text_limits_are_shown_in_the_hint():
    need = next(f for s in SECTIONS for f in s.fields if f.name == "need")
    assert "Högst 5\u00a0000 tecken." in need.description


def test_word_diff_marks_what_was_removed_and_added():
    assert word_diff("ett två tre", "ett fyra tre") == [
        ("equal", "ett "),
        ("delete", "två"),
        ("insert", "fyra"),
        ("equal", " tre"),
    ]


def test_budget_text_shows_requested_amount_per_year_and_total():
    text = budget_text(
        [
            {"year": 2026, "category": "personal", "amount": "100000.00"},
            {"year": 2026, "category": "medfinansiering", "amount": "10000.00"},
            {"year": 2027, "category": "ovrigt", "amount": "5000"},
        ]
    )
    assert "Sökt belopp 2026: 90\u00a0000\u00a0kr" in text
    assert "Sökt belopp totalt: 95\u00a0000\u00a0kr" in text


def test_changes_lists_only_the_fields_that_differ():
    old = {"need": "Behov", "title": "A", "parties": ["X", "Y"]}
    new = {"need": "Behov", "title": "B", "parties": ["X", "Z"]}
    assert [(c.label) for c in changes(old, new)] == ["Medverkande parter", "Insatsens namn"]
