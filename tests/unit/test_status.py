import pytest

from finsam_ansokan.applications.status import (
    EDITABLE,
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
    target_of,
)
from finsam_ansokan.core.errors import StateTransitionError


def test_a_draft_can_only_be_submitted_or_withdrawn():
    assert set(allowed_actions(Status.UTKAST)) == {Action.SUBMIT, Action.WITHDRAW}


def test_submitting_a_draft_makes_it_inskickad():
    assert target_of(Status.UTKAST, Action.SUBMIT) is Status.INSKICKAD


def test_request_for_more_information_returns_to_applicant_and_resubmission_back_to_review():
    assert target_of(Status.UNDER_BEREDNING, Action.REQUEST_INFO) is Status.KOMPLETTERING_BEGARD
    assert Status.KOMPLETTERING_BEGARD in EDITABLE
    assert target_of(Status.KOMPLETTERING_BEGARD, Action.RESUBMIT) is Status.UNDER_BEREDNING


@pytest.mark.parametrize(
    "action", [Action.GRANT, Action.GRANT_PART, Action.REJECT, Action.SEND_BACK]
)
def test_only_a_case_decided_at_a_meeting_gets_its_outcome_at_justering(action):
    assert target_of(Status.KLAR_FOR_BESLUT, Action.DECIDE) is Status.BESLUTAD
    for status in Status:
        if status is Status.BESLUTAD:
            target_of(status, action)
        else:
            with pytest.raises(StateTransitionError):
                target_of(status, action)


def test_a_decided_application_cannot_be_withdrawn():
    for status in (Status.BEVILJAD, Status.DELVIS_BEVILJAD, Status.AVSLAGEN, Status.PAGAENDE):
        with pytest.raises(StateTransitionError, match="återkalla"):
            target_of(status, Action.WITHDRAW)


def test_final_statuses_allow_nothing_more():
    for status in (Status.ATERKALLAD, Status.AVSLUTAD):
        assert allowed_actions(status) == []
    # an outcome is final: a decision can only be undone before justering (Beslutad)
    assert allowed_actions(Status.AVSLAGEN) == []


def test_changing_a_decision_returns_the_case_to_klar_for_beslut():
    assert target_of(Status.BESLUTAD, Action.REOPEN) is Status.KLAR_FOR_BESLUT
    for status in (Status.BEVILJAD, Status.DELVIS_BEVILJAD, Status.AVSLAGEN, Status.PAGAENDE):
        with pytest.raises(StateTransitionError):
            target_of(status, Action.REOPEN)


def test_every_status_is_reachable_from_a_draft():
    reached, frontier = {Status.UTKAST}, [Status.UTKAST]
    while frontier:
        current = frontier.pop()
        for action in allowed_actions(current):
            target = TRANSITIONS[action].target
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(Status)


def test_every_status_and_action_has_a_swedish_label():
    assert Status.KOMPLETTERING_BEGARD.label == "Komplettering begärd"
    assert all(status.label for status in Status)
    assert all(action.label for action in Action)
