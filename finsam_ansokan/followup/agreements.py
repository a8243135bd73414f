"""The överenskommelse (grant agreement): drawn up from a final grant, accepted by both parties.

When a grant becomes final (justerade minutes, or a delegationsbeslut) its caller calls
:func:`draw_up` with what the decision says: its reference, its date, the amounts per year
and the villkor. Followup sits below meetings, so the agreement takes a *snapshot*: the
decision's facts are passed in, and the rest of the text (the parties, the insats, the
contact people, the report schedule and the fixed paragraphs on rekvisition and unused
money) is rendered from the application into ``Agreement.content`` at that moment. Both
parties therefore accept a text that never changes; only the two acceptances are added.

Who accepts:

* for the projektägare, the organisation's named signatory (``Organisation.signatory``, a
  user of the organisation with the sökande role, named by the kansli or admin on the
  organisation's page); without one nobody can, and the agreement page says so;
* for the förbund, the förbundschef (``Forbund.forbundschef``, a kansli user); while none
  is named, any kansli user (capability ``accept_agreement_for_forbund``).

The first rekvisition waits until every agreement of the project is accepted by both
(``services.agreement_gate``). Services flush but never commit: the route commits once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import defer, joinedload

from finsam_ansokan.accounts.forbund import current_forbund
from finsam_ansokan.accounts.models import Forbund, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.sections import KINDS_OF_INSATS
from finsam_ansokan.applications.status import Status
from finsam_ansokan.core import archive
from finsam_ansokan.core.errors import DomainError, NotAllowed
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import format_money, to_decimal
from finsam_ansokan.core.pdf import render_pdf
from finsam_ansokan.core.timeutil import format_date, utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications import services as notifications

from . import services
from .models import Agreement

#: The fixed paragraphs of every agreement, in order: (heading, text).
PARAGRAPHS: tuple[tuple[str, str], ...] = (
    (
        "Rekvisition av medel",
        "Beviljade medel betalas ut i efterhand mot rekvisition. Projektägaren rekvirerar "
        "medel för en period med faktiskt upparbetade kostnader, högst det belopp som har "
        "beviljats för respektive år, i förbundets ansökningssystem. Ingen rekvisition kan "
        "lämnas innan båda parter har godkänt denna överenskommelse.",
    ),
    (
        "Uppföljning och redovisning",
        "Projektägaren redovisar insatsen enligt rapportplanen ovan: genomförande, "
        "måluppfyllelse, deltagare uppdelade på kvinnor och män, och förbrukade medel per år. "
        "Deltagare registreras i Uppföljning Finsam (SUS) där det är aktuellt. Uppgifter om "
        "enskilda deltagare lämnas aldrig till förbundet.",
    ),
    (
        "Outnyttjade medel",
        "Medel som inte har förbrukats när insatsen avslutas återgår till förbundet. "
        "Förbundet stämmer av rekvirerade och förbrukade medel mot slutrapporten; rekvirerade "
        "medel som inte har förbrukats betalar projektägaren tillbaka.",
    ),
    (
        "Ändringar",
        "Väsentliga ändringar av insatsens inriktning, tidsplan eller budget ska godkännas av "
        "förbundet innan de genomförs. Förbundet kan hålla inne eller kräva tillbaka medel som "
        "inte används enligt beslutet och denna överenskommelse.",
    ),
    (
        "Giltighet",
        "Överenskommelsen gäller från den dag båda parter har godkänt den till dess att "
        "förbundet har godkänt insatsens slutrapport.",
    ),
)

OUTSIDE_SYSTEM_REFERENCE = "Upprättad utanför systemet"
_KIND_LABELS = dict(KINDS_OF_INSATS)
#: While it can still be accepted: granted, not yet closed.
ACCEPTABLE = frozenset({Status.BEVILJAD, Status.DELVIS_BEVILJAD, Status.PAGAENDE})


# --- drawing up -----------------------------------------------------------------------------


def _schedule(application: Application) -> list[dict[str, str]]:
    """The project's reports if it has a schedule, else the default one."""
    return [
        {
            "kind": kind,
            "due": format_date(due),
            "start": format_date(start),
            "end": format_date(end),
        }
        for kind, due, start, end in services.planned_reports(application)
    ]


def _person(user: User | None) -> str | None:
    if user is None:
        return None
    return f"{user.name}, {user.title}" if user.title else user.name


def content_for(application: Application, forbund: Forbund | None) -> dict[str, Any]:
    """The text of the agreement besides the decision's facts, as plain JSON values."""
    organisation = application.organisation
    contacts = []
    if application.contact_name:
        contacts.append(
            {
                "role": "Kontaktperson",
                "name": application.contact_name,
                "details": ", ".join(
                    v for v in (application.contact_email, application.contact_phone) if v
                ),
            }
        )
    if application.project_leader:
        contacts.append(
            {"role": "Projektledare", "name": application.project_leader, "details": ""}
        )
    if forbund is not None and forbund.forbundschef is not None:
        contacts.append(
            {
                "role": "Förbundschef",
                "name": forbund.forbundschef.name,
                "details": forbund.email or "",
            }
        )
    return {
        "forbund": {
            "name": forbund.name if forbund else "Samordningsförbundet",
            "organisation_number": forbund.organisation_number if forbund else "",
            "address": (forbund.address or "") if forbund else "",
        },
        "organisation": {"name": organisation.name, "kind": organisation.kind_label},
        "parties": sorted(p.organisation.name for p in application.parties),
        "insats": {
            "title": application.display_title,
            "diarienummer": application.diarienummer or "",
            "huvudomrade": application.huvudomrade.name if application.huvudomrade else "",
            "kind": _KIND_LABELS.get(application.kind or "", ""),
            "start": format_date(application.start_date),
            "end": format_date(application.end_date),
        },
        "contacts": contacts,
        "schedule": _schedule(application),
        "paragraphs": [{"heading": h, "text": t} for h, t in PARAGRAPHS],
    }


def draw_up(
    application: Application,
    *,
    reference: str,
    decided_on: date,
    amounts: Mapping[int, Decimal],
    villkor: str | None,
    actor: User | None,
) -> Agreement:
    """Draw up the agreement of one granting decision (``reference``, e.g. "Styrelsen
    2026-03-10, § 12" or "D 2026:3"): one per decision; drawing it up again returns it."""
    reference = " ".join((reference or "").split())
    if not reference:
        raise DomainError("Överenskommelsen måste hänvisa till ett beslut.")
    existing = db.session.scalars(
        select(Agreement).where(
            Agreement.application_id == application.id, Agreement.reference == reference
        )
    ).first()
    if existing is not None:
        return existing
    granted = {int(y): to_decimal(a) for y, a in amounts.items() if a is not None and a > 0}
    if not granted:
        raise DomainError("Ett beslut utan beviljade belopp ger ingen överenskommelse.")
    agreement = Agreement(
        application_id=application.id,
        reference=reference,
        decided_on=decided_on,
        amounts={str(y): str(a) for y, a in sorted(granted.items())},
        villkor=(villkor or "").strip() or None,
        content=content_for(application, current_forbund()),
        drawn_up_by_id=getattr(actor, "id", None),
    )
    db.session.add(agreement)
    db.session.flush()
    record_event(
        "agreement_drawn_up",
        actor=actor,
        application=application,
        subject=f"agreement:{agreement.id}",
        message=f"Överenskommelse enligt beslut {reference}: "
        + ", ".join(f"{format_money(a)} ({y})" for y, a in agreement.amounts_by_year.items())
        + ".",
        data={"reference": reference},
    )
    notifications.agreement_drawn_up(agreement, [signatory_of(application), application.created_by])
    return agreement


# --- who may accept -------------------------------------------------------------------------


def signatory_of(application: Application) -> User | None:
    """The projektägare's named signatory, if still an active sökande of the organisation."""
    user = application.organisation.signatory
    if (
        user is None
        or not user.active
        or user.organisation_id != application.organisation_id
        or Role.SOKANDE not in user.roles
    ):
        return None
    return user


def forbundschef() -> User | None:
    forbund = current_forbund()
    user = forbund.forbundschef if forbund is not None else None
    if user is None or not user.active or Role.KANSLI not in user.roles:
        return None
    return user


def _is_user(actor: Any, user: User | None) -> bool:
    return user is not None and getattr(actor, "id", None) == user.id


def _open(agreement: Agreement) -> bool:
    return not agreement.outside_system and Status(agreement.application.status) in ACCEPTABLE


def can_accept_for_applicant(actor: Any, agreement: Agreement) -> bool:
    return (
        _open(agreement)
        and not agreement.applicant_accepted
        and _is_user(actor, signatory_of(agreement.application))
    )


def can_accept_for_forbund(actor: Any, agreement: Agreement) -> bool:
    if not _open(agreement) or agreement.forbund_accepted:
        return False
    chef = forbundschef()
    if chef is not None:
        return _is_user(actor, chef)
    return Role.KANSLI in getattr(actor, "roles", frozenset())


# --- accepting ------------------------------------------------------------------------------


def _check_open(agreement: Agreement) -> None:
    if agreement.outside_system:
        raise DomainError("Överenskommelsen upprättades utanför systemet.")
    if Status(agreement.application.status) not in ACCEPTABLE:
        raise DomainError("Överenskommelsen kan bara godkännas medan insatsen är beviljad.")


def _accept(agreement: Agreement, side: str, actor: User) -> None:
    """One conditional UPDATE: of two requests at once, the second finds it accepted."""
    at = utcnow()
    done = db.session.execute(
        update(Agreement)
        .where(Agreement.id == agreement.id, getattr(Agreement, f"{side}_accepted_at").is_(None))
        .values(
            {
                f"{side}_accepted_at": at,
                f"{side}_accepted_by_id": actor.id,
                f"{side}_accepted_name": _person(actor),
            }
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(agreement)
    if not done:
        raise DomainError("Överenskommelsen är redan godkänd för den parten.")


def accept_for_applicant(agreement: Agreement, *, actor: User) -> None:
    """The projektägare's named signatory accepts."""
    _check_open(agreement)
    application = agreement.application
    signatory = signatory_of(application)
    if signatory is None:
        raise DomainError(
            f"{application.organisation.name} har ingen namngiven firmatecknare. Kansliet "
            "anger en på organisationens sida under Medlemsorganisationer."
        )
    if not _is_user(actor, signatory):
        raise NotAllowed(
            f"Bara {application.organisation.name}s firmatecknare, {signatory.name}, kan "
            "godkänna överenskommelsen för projektägaren."
        )
    _accept(agreement, "applicant", actor)
    _accepted(agreement, actor, f"för {application.organisation.name} av {_person(actor)}")


def accept_for_forbund(agreement: Agreement, *, actor: User) -> None:
    """The förbundschef accepts (any kansli user while none is named)."""
    _check_open(agreement)
    chef = forbundschef()
    if chef is not None and not _is_user(actor, chef):
        raise NotAllowed(
            f"Bara förbundschefen, {chef.name}, kan godkänna överenskommelsen för förbundet."
        )
    if chef is None and Role.KANSLI not in actor.roles:
        raise NotAllowed("Bara kansliet kan godkänna överenskommelsen för förbundet.")
    _accept(agreement, "forbund", actor)
    _accepted(agreement, actor, f"för förbundet av {_person(actor)}")


def _accepted(agreement: Agreement, actor: User, by: str) -> None:
    application = agreement.application
    record_event(
        "agreement_accepted",
        actor=actor,
        application=application,
        subject=f"agreement:{agreement.id}",
        message=f"Överenskommelsen ({agreement.reference}) godkändes {by}.",
    )
    if agreement.is_accepted:
        record_event(
            "agreement_in_force",
            actor=actor,
            application=application,
            subject=f"agreement:{agreement.id}",
            message=f"Överenskommelsen ({agreement.reference}) är godkänd av båda parter.",
        )
        notifications.agreement_accepted(
            agreement,
            [signatory_of(application), application.created_by, forbundschef()],
            actor=actor,
        )
    db.session.flush()


# --- reading --------------------------------------------------------------------------------


def agreements_for(application: Application) -> list[Agreement]:
    return list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.application_id == application.id)
            .order_by(Agreement.drawn_up_at.desc(), Agreement.id.desc())
        )
    )


def awaiting_acceptance() -> list[Agreement]:
    """Agreements of granted projects that one party or both have not accepted yet, oldest
    first (the kansli's follow-up list)."""
    return list(
        db.session.scalars(
            select(Agreement)
            .join(Application, Application.id == Agreement.application_id)
            .where(
                # the two arms are read from the partial indexes of agreements waiting for
                # each party (``ix_agreements_waiting_*``), not from every accepted one
                Agreement.outside_system.is_(False),
                or_(
                    Agreement.applicant_accepted_at.is_(None),
                    Agreement.forbund_accepted_at.is_(None),
                ),
                Application.status.in_([s.value for s in ACCEPTABLE]),
            )
            .options(
                # the list shows who has not accepted, not the text
                defer(Agreement.content),
                defer(Agreement.villkor),
                joinedload(Agreement.application).joinedload(Application.organisation),
            )
            .order_by(Agreement.drawn_up_at, Agreement.id)
        )
    )


@dataclass(frozen=True)
class Party:
    """One side of the agreement as the page and the PDF show it."""

    label: str
    name: str
    #: Who may accept for this side (a name), or what is missing.
    who: str
    accepted_at: Any
    accepted_name: str | None


def parties(agreement: Agreement) -> list[Party]:
    content = agreement.content or {}
    application = agreement.application
    signatory = signatory_of(application)
    chef = forbundschef()
    return [
        Party(
            "Projektägare",
            content.get("organisation", {}).get("name") or application.organisation.name,
            f"Firmatecknare: {signatory.name}"
            if signatory
            else "Ingen firmatecknare är namngiven för organisationen.",
            agreement.applicant_accepted_at,
            agreement.applicant_accepted_name,
        ),
        Party(
            "Förbundet",
            content.get("forbund", {}).get("name") or "",
            f"Förbundschef: {chef.name}"
            if chef
            else "Ingen förbundschef är namngiven; en person i kansliet godkänner.",
            agreement.forbund_accepted_at,
            agreement.forbund_accepted_name,
        ),
    ]


# --- the PDF and the archive ---------------------------------------------------------------------


def pdf(agreement: Agreement) -> bytes:
    """The agreement as PDF/A, with the acceptances as they stand."""
    return render_pdf(
        "followup/agreement_pdf.html",
        agreement=agreement,
        application=agreement.application,
        parties=parties(agreement),
    )


def _pdf_of(agreement_id: int) -> bytes:
    return pdf(db.session.get(Agreement, agreement_id))


def archive_documents(year: int) -> Iterator[archive.ArchiveDocument]:
    """The agreements of the year's cases (those drawn up in the system), for the archive."""
    rows = db.session.scalars(
        select(Agreement)
        .join(Application, Application.id == Agreement.application_id)
        .where(Application.diarie_year == year, Agreement.outside_system.is_(False))
        .options(joinedload(Agreement.application))
        .order_by(Application.diarie_number, Agreement.id)
    )
    for row in rows:
        application = row.application
        folder = archive.application_folder(application.diarie_year, application.diarie_number)
        yield archive.ArchiveDocument(
            path=f"{folder}/overenskommelse-{row.id}.pdf",
            render=lambda agreement_id=row.id: _pdf_of(agreement_id),
            application_id=application.id,
            title=f"Överenskommelse enligt beslut {row.reference}",
            date=row.decided_on,
        )
