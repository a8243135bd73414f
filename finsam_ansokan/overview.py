"""The budget overview of a year: a read model above review and followup.

It only reads, and it computes no figure of its own: each column is its owner's
expression, joined per frame in one query:

* *Ram* – ``Ram.amount``;
* *Föreslaget* – ``review.queries.proposed_by_area`` (the latest förslag till beslut of each
  case ready for decision);
* *Beviljat* and *Återfört* – ``budget.ledger.by_frame`` (what the board granted; what went
  back when projects closed);
* *Utbetalt* and *Förbrukat* – ``followup.services.paid_by_area`` / ``used_by_area``;
* *Återstår* – ``Ram.amount − Ram.granted``: the frame less what it still has tied up.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import and_, func, select

from finsam_ansokan.budget import ledger
from finsam_ansokan.budget.models import BudgetYear, Contribution, Huvudomrade, Ram
from finsam_ansokan.core.money import ZERO
from finsam_ansokan.extensions import db
from finsam_ansokan.figures import cached
from finsam_ansokan.followup.services import paid_by_area, used_by_area
from finsam_ansokan.review.queries import proposed_by_area

#: The national council's recommendation: equity at year end at most 20 % of the year's
#: contributions (for förbund with contributions up to 7 Mkr).
EQUITY_RECOMMENDATION_SHARE = Decimal("0.20")

T = TypeVar("T")


@dataclass(frozen=True)
class FrameRow:
    ram_id: int
    huvudomrade_id: int
    huvudomrade: str
    active: bool
    frame: Decimal
    proposed: Decimal
    granted: Decimal
    used: Decimal
    paid: Decimal = ZERO
    returned: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        """The frame less what is granted and not returned."""
        return self.frame - self.granted + self.returned


@dataclass
class Overview:
    budget_year: BudgetYear
    rows: list[FrameRow]
    frames: Decimal
    proposed: Decimal
    granted: Decimal
    used: Decimal
    contributions: Decimal
    equity_carried_over: Decimal
    administration: Decimal
    paid: Decimal = ZERO
    returned: Decimal = ZERO

    @property
    def committed(self) -> Decimal:
        """Granted and not returned: what the year's frames have tied up."""
        return self.granted - self.returned

    @property
    def remaining(self) -> Decimal:
        return self.frames - self.committed

    @property
    def income(self) -> Decimal:
        return self.contributions + self.equity_carried_over

    @property
    def unallocated(self) -> Decimal:
        """Ej utlagt: income − administration − the frames."""
        return self.income - self.administration - self.frames

    @property
    def projected_equity(self) -> Decimal:
        """Eget kapital vid årets slut if the frames are used in full:
        income − administration − granted and not returned − what remains in the frames
        (= Ej utlagt)."""
        return self.income - self.administration - self.committed - self.remaining

    @property
    def equity_if_nothing_more_granted(self) -> Decimal:
        return self.income - self.administration - self.committed

    @property
    def equity_limit(self) -> Decimal:
        return (self.contributions * EQUITY_RECOMMENDATION_SHARE).quantize(Decimal("1"))

    @property
    def equity_above_limit(self) -> bool:
        return self.projected_equity > self.equity_limit

    @property
    def equity_share(self) -> Decimal | None:
        if not self.contributions:
            return None
        return (self.projected_equity * 100 / self.contributions).quantize(Decimal("1"))


def _figures(year: int, huvudomrade_id: int | None = None) -> tuple[Decimal, tuple[FrameRow, ...]]:
    """The year's contributions and one row per frame of ``year`` (or of one huvudområde),
    in one query: an outer join from the budget year, so a year without frames still
    gives its contributions."""
    proposed = proposed_by_area(year)
    granted = ledger.by_frame(year)
    used = used_by_area(year)
    paid = paid_by_area(year)
    contributions = (
        select(func.coalesce(func.sum(Contribution.amount), 0))
        .where(Contribution.budget_year_id == BudgetYear.id)
        .scalar_subquery()
    )
    frames = Ram.budget_year_id == BudgetYear.id
    if huvudomrade_id is not None:
        frames = and_(frames, Ram.huvudomrade_id == huvudomrade_id)
    query = (
        select(
            contributions,
            Ram.id,
            Ram.huvudomrade_id,
            Huvudomrade.name,
            Huvudomrade.active,
            Ram.amount,
            func.coalesce(proposed.c.amount, 0),
            func.coalesce(granted.c.granted, 0),
            func.coalesce(granted.c.returned, 0),
            func.coalesce(used.c.amount, 0),
            func.coalesce(paid.c.amount, 0),
        )
        .select_from(BudgetYear)
        .outerjoin(Ram, frames)
        .outerjoin(Huvudomrade, Ram.huvudomrade_id == Huvudomrade.id)
        .outerjoin(proposed, proposed.c.huvudomrade_id == Ram.huvudomrade_id)
        .outerjoin(granted, granted.c.ram_id == Ram.id)
        .outerjoin(used, used.c.huvudomrade_id == Ram.huvudomrade_id)
        .outerjoin(paid, paid.c.huvudomrade_id == Ram.huvudomrade_id)
        .where(BudgetYear.year == year)
        .order_by(Huvudomrade.sort_order, Huvudomrade.name)
    )
    result = db.session.execute(query).all()
    rows = tuple(
        FrameRow(
            ram_id=r[1],
            huvudomrade_id=r[2],
            huvudomrade=r[3],
            active=r[4],
            frame=r[5],
            proposed=Decimal(r[6]),
            granted=Decimal(r[7]),
            returned=Decimal(r[8]),
            used=Decimal(r[9]),
            paid=Decimal(r[10]),
        )
        for r in result
        if r[1] is not None
    )
    return (Decimal(result[0][0]) if result else ZERO), rows


def frame_figures(year: int, huvudomrade_id: int | None = None) -> tuple[FrameRow, ...]:
    """:func:`frame_rows` uncached, for a caller that caches what it builds from them."""
    return _figures(year, huvudomrade_id)[1]


def frame_rows(year: int, huvudomrade_id: int | None = None) -> list[FrameRow]:
    """One row per frame of ``year`` (or of one huvudområde): what is proposed, granted,
    returned, paid and used from it, in one query, kept in the cache of the year's
    figures (``finsam_ansokan.figures``) until one of them changes. The rows are shared:
    read them, never change them."""
    return list(cached("frames", year, huvudomrade_id, lambda: frame_figures(year, huvudomrade_id)))


def overview(budget_year: BudgetYear) -> Overview:
    """The budget overview of a year: the frames with what is proposed, granted, returned,
    used and paid from each, and the year's contributions (one query, kept in the cache
    of the year's figures until one of them changes)."""
    contributions, figures = cached(
        "overview", budget_year.year, None, lambda: _figures(budget_year.year)
    )
    rows = list(figures)
    # The totals add up the few rows SQL already aggregated (one per huvudområde), rather
    # than running the aggregate subqueries a second time.
    return Overview(
        budget_year=budget_year,
        rows=rows,
        frames=sum((r.frame for r in rows), ZERO),
        proposed=sum((r.proposed for r in rows), ZERO),
        granted=sum((r.granted for r in rows), ZERO),
        returned=sum((r.returned for r in rows), ZERO),
        used=sum((r.used for r in rows), ZERO),
        paid=sum((r.paid for r in rows), ZERO),
        contributions=contributions,
        equity_carried_over=budget_year.equity_carried_over,
        administration=budget_year.administration_costs,
    )


def page(budget_year: BudgetYear, key: Hashable, render: Callable[[Overview], T]) -> T:
    """``render(overview(budget_year))``, the part of the page that shows nothing but the
    year's figures (the same for everyone who may see it), kept in the cache of the year's
    figures under ``key`` (what else it depends on) until one of them changes."""
    return cached("budget page", budget_year.year, key, lambda: render(overview(budget_year)))
