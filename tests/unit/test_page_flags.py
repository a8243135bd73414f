"""What a case's pages show, decided from the status by the policy and status modules (the
templates only show it): the tabs, the beredning actions, starting the follow-up."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.status import Status
from finsam_ansokan.applications.tabs import tabs_for
from finsam_ansokan.followup import policy as followup_policy
from finsam_ansokan.review import policy as review_policy


def _user(*roles: Role, organisation_id: int | None = 1):
    return SimpleNamespace(
        is_authenticated=True,
        is_active=True,
        roles=frozenset(roles),
        organisation_id=organisation_id,
    )


def _application(status: Status, *, diarienummer: str | None = "2026/1", shared=False):
    return SimpleNamespace(
        status=status.value,
        diarienummer=diarienummer,
        diarie_number=1 if diarienummer else None,
        organisation_id=1,
        shared_for_comments=shared,
    )


def _labels(user, application) -> list[str]:
    return [tab.label for tab in tabs_for(user, application)]


def test_a_draft_has_its_content_comments_and_history_only():
    draft = _application(Status.UTKAST, diarienummer=None)
    assert _labels(_user(Role.SOKANDE), draft) == ["Ansökan", "Kommentarer", "Historik"]
    # the beredning tab needs a diarienummer, even for those who prepare cases
    assert "Beredning" not in _labels(_user(Role.KANSLI), draft)


def test_a_submitted_case_has_a_beredning_tab_for_those_who_prepare_it():
    sent = _application(Status.INSKICKAD)
    assert "Beredning" in _labels(_user(Role.BEREDNING), sent)
    assert "Beredning" not in _labels(_user(Role.SOKANDE), sent)


@pytest.mark.parametrize("status", list(Status))
def test_the_decision_and_follow_up_tabs_follow_the_status(status):
    labels = _labels(_user(Role.KANSLI), _application(status))
    decided = status in {
        Status.BEVILJAD,
        Status.DELVIS_BEVILJAD,
        Status.AVSLAGEN,
        Status.PAGAENDE,
        Status.AVSLUTAD,
    }
    assert ("Beslut" in labels) is decided
    assert ("Uppföljning" in labels) is (decided and status is not Status.AVSLAGEN)


def test_the_follow_up_tab_is_current_on_every_follow_up_page():
    tab = next(t for t in tabs_for(_user(Role.KANSLI), _application(Status.PAGAENDE)) if t.area)
    assert tab.is_current("followup.payment")
    assert not tab.is_current("review.history")
    history = tabs_for(_user(Role.KANSLI), _application(Status.PAGAENDE))[-1]
    assert history.is_current("review.history") and not history.is_current(None)


@pytest.mark.parametrize(
    ("status", "start", "ask_more"),
    [
        (Status.INSKICKAD, True, True),
        (Status.UNDER_BEREDNING, False, True),
        (Status.KOMPLETTERING_BEGARD, False, False),
        (Status.KLAR_FOR_BESLUT, False, False),
    ],
)
def test_a_reviewer_takes_up_a_submitted_case_and_asks_for_more_until_it_is_ready(
    status, start, ask_more
):
    reviewer, application = _user(Role.BEREDNING), _application(status)
    assert review_policy.can_start_review(reviewer, application) is start
    assert review_policy.can_request_information(reviewer, application) is ask_more
    applicant = _user(Role.SOKANDE)
    assert not review_policy.can_start_review(applicant, application)
    assert not review_policy.can_request_information(applicant, application)


def test_only_an_unshared_draft_is_private():
    assert review_policy.is_private_draft(_application(Status.UTKAST, shared=False))
    assert not review_policy.is_private_draft(_application(Status.UTKAST, shared=True))
    assert not review_policy.is_private_draft(_application(Status.INSKICKAD))


@pytest.mark.parametrize(
    ("status", "awaits"),
    [
        (Status.BEVILJAD, True),
        (Status.DELVIS_BEVILJAD, True),
        (Status.PAGAENDE, False),
        (Status.AVSLUTAD, False),
    ],
)
def test_the_kansli_is_asked_to_start_the_follow_up_of_a_granted_project(status, awaits):
    assert followup_policy.awaits_start(_user(Role.KANSLI), _application(status)) is awaits
    assert not followup_policy.awaits_start(_user(Role.SOKANDE), _application(status))
