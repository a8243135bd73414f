"""Historik in words: every kind of event the code writes has a Swedish sentence."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from finsam_ansokan.applications import finality
from finsam_ansokan.core.events import EVENT_TEXTS, record_event
from finsam_ansokan.review.history import describe, detail
from finsam_ansokan.review.models import AssessmentStage

PACKAGE = Path(__file__).resolve().parents[2] / "finsam_ansokan"
#: Event kinds the code names by a constant rather than a literal.
NAMED_KINDS = {"finality.FINAL_EVENT_KIND": finality.FINAL_EVENT_KIND}


def _strings(node: ast.AST) -> set[str]:
    """The event kinds an argument can take: literals, ``a if c else b`` and the assessment
    stages' ``f"{stage.value}_recorded"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    if isinstance(node, ast.JoinedStr):
        tail = "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
        if tail == "_recorded":
            return {f"{stage.value}_recorded" for stage in AssessmentStage}
    if ast.unparse(node) in NAMED_KINDS:
        return {NAMED_KINDS[ast.unparse(node)]}
    raise AssertionError(f"an event kind the test cannot read: {ast.unparse(node)}")


def event_kinds_in_code() -> dict[str, str]:
    """Every kind written by ``record_event(kind, …)`` or inserted as
    ``rows.add(Event, kind=…)``."""
    found: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            argument = None
            if name == "record_event" and node.args:
                argument = node.args[0]
            elif node.args and getattr(node.args[0], "id", None) == "Event":
                argument = next((k.value for k in node.keywords if k.arg == "kind"), None)
            if argument is None:
                continue
            for kind in _strings(argument):
                found[kind] = f"{path.relative_to(PACKAGE)}:{node.lineno}"
    return found


def test_the_scan_finds_the_events_the_code_writes():
    kinds = event_kinds_in_code()
    # a scan that finds nothing would pass the next test vacuously
    assert {"status_changed", "application_saved", "payment_requested", "minutes_signed"} <= set(
        kinds
    )
    assert "forslag_recorded" in kinds and "rekommendation_recorded" in kinds


def test_every_event_kind_in_the_code_has_a_swedish_sentence():
    missing = {k: where for k, where in event_kinds_in_code().items() if k not in EVENT_TEXTS}
    assert missing == {}, f"give these event kinds a sentence in core/events.EVENT_TEXTS: {missing}"


def test_an_event_kind_without_a_sentence_is_refused():
    with pytest.raises(ValueError, match="no Swedish text"):
        record_event("something_new")


def _event(kind: str, **fields) -> SimpleNamespace:
    base = {"data": None, "message": None, "from_status": None, "to_status": None}
    return SimpleNamespace(kind=kind, **{**base, **fields})


def test_no_sentence_is_a_machine_name():
    for kind, text in EVENT_TEXTS.items():
        assert "_" not in text and text[0].isupper() and text.endswith("."), kind
        assert describe(_event(kind)) != kind


def test_a_status_change_names_both_statuses_in_swedish():
    event = _event(
        "status_changed", from_status="under_beredning", to_status="komplettering_begard"
    )
    assert describe(event) == "Status ändrades från under beredning till komplettering begärd."


def test_a_run_of_saves_is_one_sentence_with_the_section_and_the_count():
    event = _event("application_saved", data={"section": "budget", "section_title": "Budget"})
    assert describe(event, 12) == "Avsnittet Budget sparades (12 gånger)."
    assert describe(event) == "Avsnittet Budget sparades."


def test_only_messages_written_for_the_reader_are_shown():
    assert detail(_event("status_changed", message="Fyll i budgeten.")) == "Fyll i budgeten."
    assert detail(_event("user_deleted", message="someone@example.se")) is None
