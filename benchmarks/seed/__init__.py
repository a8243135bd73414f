"""A large, realistic dataset for the benchmark and the query-count tests:
``flask --app finsam_ansokan demo --scale N`` or :func:`load_scale`.

Not part of the application (nothing in ``finsam_ansokan`` imports it; the ``demo --scale``
command loads it lazily). On top of the demo förbund it bulk-inserts ``N`` applications over
ten budget years in every status, with everything that hangs off them. Split by area:

- ``applications``: sökande, the plan, applications with diarienummer, parties, budget lines,
  versions, status events (every path looked up in ``applications.status.TRANSITIONS``),
  comments and assessments;
- ``meetings``: ≈ N/33 board meetings with agenda, attendance, jäv and decisions, signed
  after their rows are in;
- ``budget``: budget years, frames sized for the decisions, and the grants by the ledger's
  rules (a conditional UPDATE of ``Ram.granted`` with the ``frame_grants`` rows that add up
  to it, then ``budget.ledger.verify_frames``);
- ``followup``: reports and payment requests;
- ``notifications``: the e-mail outbox's history.

Deterministic (one seeded ``random``); a second run adds another ``N`` to what is there.
"""

from __future__ import annotations

import random

from sqlalchemy import select

from finsam_ansokan import figures
from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.timeutil import today, utcnow
from finsam_ansokan.demo import USERS as DEMO_USERS
from finsam_ansokan.demo import load_demo
from finsam_ansokan.extensions import db
from finsam_ansokan.review import services as review_services

from . import applications, budget, followup, meetings, notifications
from .common import Seed, reset_sequences

YEARS = 10


def load_scale(n: int, seed: int = 20_03_1210) -> dict[str, int]:
    """Add ``n`` applications (and all that hangs off them) to the demo förbund; the caller
    commits."""
    load_demo()
    db.session.flush()
    this_year = today().year
    users = {
        role: db.session.scalar(select(User.id).where(User.email == email))
        for email, _, (role, *_), _ in DEMO_USERS
    }
    state = Seed(
        rng=random.Random(seed),
        now=utcnow(),
        today=today(),
        years=list(range(this_year - YEARS + 2, this_year + 2)),  # … this year, next year
        members=list(db.session.scalars(select(Organisation).order_by(Organisation.id))),
        areas=list(db.session.scalars(select(Huvudomrade).order_by(Huvudomrade.sort_order))),
        beredning=users[Role.BEREDNING],
        kansli=users[Role.KANSLI],
        styrelse=users[Role.STYRELSE],
    )
    applications.add_applicants(state, db.session.get(User, users[Role.SOKANDE]))
    budget.add_years(state)
    applications.plan(state, n)
    meetings.schedule(state, n)
    applications.write(state)
    applications.write_history(state)
    applications.write_comments(state)
    review_services.refresh_unread()  # every reader's unread comments, as the services keep them
    applications.write_assessments(state)
    meetings.write(state)
    grants = budget.grant_decided(state)
    followup.write(state)
    notifications.write(state)
    reset_sequences()
    # the bulk inserts passed no ORM flush: give every year's figures a version, so the
    # pages' caches see the new data (``finsam_ansokan/figures.py``)
    figures.bump_everything()
    return {
        "applications": n,
        "comments": state.comments,
        "meetings": len(state.meetings),
        "decisions": sum(len(cases) for _, _, cases, decided in state.meetings if decided),
        "grants": grants,
    }
