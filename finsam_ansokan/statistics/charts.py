"""Chart geometry for the statistics page: plain numbers the SVG macros draw.

No JavaScript and nothing from other hosts: the page draws inline SVG from these objects
(``templates/statistics/_charts.html``). Colours come from CSS classes, never ``style=``,
and every bar and line carries its own text label, so nothing is told by colour alone.
Each chart stands beside a table with the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from finsam_ansokan.core.money import ZERO, format_money

from .services import MONTHS, AreaRow, MonthPoint

WIDTH = 760
#: Room to the right of the longest bar for its text ("Beviljat 10 000 000 kr").
LABEL_ROOM = 230
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_LABEL = 22
GROUP_GAP = 16
TOP = 8


@dataclass(frozen=True)
class LegendItem:
    css: str
    label: str


@dataclass(frozen=True)
class Bar:
    css: str
    y: int
    width: int
    text: str


@dataclass
class BarGroup:
    label: str
    label_y: int
    bars: list[Bar] = field(default_factory=list)


@dataclass
class BarChart:
    id: str
    title: str
    description: str
    height: int
    legend: list[LegendItem]
    groups: list[BarGroup]
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT

    def text_x(self, bar: Bar) -> int:
        return bar.width + 6


MONEY_SERIES = (
    ("asked", "Sökt", "chart-fill--asked"),
    ("granted", "Beviljat", "chart-fill--granted"),
    ("used", "Förbrukat", "chart-fill--used"),
)


def _scale(value: Decimal, largest: Decimal, room: int) -> int:
    if largest <= 0 or value <= 0:
        return 0
    return max(1, int(value * room / largest))


def money_chart(areas: list[AreaRow], year: int) -> BarChart:
    """Sökt, beviljat and förbrukat per huvudområde, as horizontal bars."""
    room = WIDTH - LABEL_ROOM
    largest = max((getattr(a, key) for a in areas for key, _, _ in MONEY_SERIES), default=ZERO)
    groups, y = [], TOP
    for area in areas:
        group = BarGroup(label=area.name, label_y=y + 14)
        y += GROUP_LABEL
        for key, label, css in MONEY_SERIES:
            value = getattr(area, key)
            group.bars.append(
                Bar(css, y, _scale(value, largest, room), f"{label} {format_money(value)}")
            )
            y += BAR_HEIGHT + BAR_GAP
        groups.append(group)
        y += GROUP_GAP
    return BarChart(
        id="diagram-pengar",
        title=f"Sökt, beviljat och förbrukat per huvudområde {year}",
        description="Liggande staplar per huvudområde. Samma belopp står i tabellen "
        "Pengar per huvudområde.",
        height=max(y, 40),
        legend=[LegendItem(css, label) for _, label, css in MONEY_SERIES],
        groups=groups,
    )


@dataclass(frozen=True)
class Segment:
    css: str
    x: int
    width: int


@dataclass
class StackedBar:
    label: str
    label_y: int
    y: int
    segments: list[Segment]
    text: str
    text_y: int


@dataclass
class StackedChart:
    id: str
    title: str
    description: str
    height: int
    legend: list[LegendItem]
    bars: list[StackedBar]
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT


def gender_chart(areas: list[AreaRow], total: AreaRow, year: int) -> StackedChart:
    """Women and men among the participants, one 100 % bar per huvudområde and in all."""
    room = WIDTH - 20
    bars, y = [], TOP
    rows = [*areas, total] if len(areas) > 1 else list(areas)
    for area in rows:
        label_y = y + 14
        y += GROUP_LABEL
        segments = []
        if area.participants:
            women = int(room * area.women / area.participants)
            if area.women:
                segments.append(Segment("chart-fill--women", 0, women))
            if area.men:
                gap = 2 if area.women else 0  # a white line between the two parts
                segments.append(Segment("chart-fill--men", women + gap, room - women - gap))
            text = (
                f"Kvinnor {area.women} ({area.women_share} %), "
                f"män {area.men} ({area.men_share} %), totalt {area.participants}"
            )
        else:
            text = "Inga deltagare redovisade"
        bars.append(
            StackedBar(
                label="Alla huvudområden" if area is total else area.name,
                label_y=label_y,
                y=y,
                segments=segments,
                text=text,
                text_y=y + BAR_HEIGHT + 16,
            )
        )
        y += BAR_HEIGHT + 22 + GROUP_GAP
    return StackedChart(
        id="diagram-kon",
        title=f"Deltagare efter kön per huvudområde {year}",
        description="Staplar delade i kvinnor och män. Samma antal står i tabellen "
        "Deltagare efter kön.",
        height=max(y, 40),
        legend=[
            LegendItem("chart-fill--women", "Kvinnor"),
            LegendItem("chart-fill--men", "Män"),
        ],
        bars=bars,
    )


@dataclass(frozen=True)
class Tick:
    position: int
    label: str


@dataclass(frozen=True)
class Line:
    css: str
    label: str
    points: list[tuple[int, int]]
    marker: str  # "circle" or "square"

    @property
    def path(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)

    @property
    def end(self) -> tuple[int, int]:
        return self.points[-1]


@dataclass
class LineChart:
    id: str
    title: str
    description: str
    left: int
    right: int
    top: int
    bottom: int
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    lines: list[Line]
    frame_y: int | None
    frame_label: str
    width: int = WIDTH
    height: int = 320

    @property
    def empty(self) -> bool:
        return not any(line.points for line in self.lines)


def _nice_step(largest: Decimal, steps: int = 4) -> Decimal:
    """A round step (1, 2 or 5 × 10ⁿ kr) that splits ``largest`` into about ``steps``."""
    if largest <= 0:
        return Decimal(1)
    raw = largest / steps
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


def budget_use_chart(months: list[MonthPoint], frames: Decimal, year: int) -> LineChart:
    """Cumulative granted and paid at the end of each month, against the year's frames."""
    left, right, top, bottom = 120, WIDTH - 90, 20, 320 - 36
    largest = max([frames, *(m.granted for m in months), *(m.paid for m in months)])
    step = _nice_step(largest)
    ceiling = step * (int(largest / step) + (1 if largest % step or largest == 0 else 0))
    ceiling = max(ceiling, step)

    def y_of(value: Decimal) -> int:
        return int(bottom - (bottom - top) * value / ceiling)

    def x_of(month: int) -> int:
        return int(left + (right - left) * (month - 1) / 11)

    y_ticks = []
    value = ZERO
    while value <= ceiling:
        y_ticks.append(Tick(y_of(value), format_money(value)))
        value += step
    lines = [
        Line(
            "chart-line--granted",
            "Beviljat",
            [(x_of(m.month), y_of(m.granted)) for m in months],
            "circle",
        ),
        Line(
            "chart-line--paid",
            "Utbetalt",
            [(x_of(m.month), y_of(m.paid)) for m in months],
            "square",
        ),
    ]
    return LineChart(
        id="diagram-budget",
        title=f"Beviljat och utbetalt ackumulerat per månad {year}, mot ramarna",
        description="Linjediagram över året. Samma belopp står i tabellen "
        "Budgetutnyttjande per månad.",
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        x_ticks=[Tick(x_of(m), MONTHS[m - 1]) for m in range(1, 13)],
        y_ticks=y_ticks,
        lines=lines,
        frame_y=y_of(frames) if frames > 0 else None,
        frame_label=f"Ramar {format_money(frames)}",
    )
