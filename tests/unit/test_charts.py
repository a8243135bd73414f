"""Chart geometry: bars in proportion, every bar and line labelled in text."""

from __future__ import annotations

from decimal import Decimal

from finsam_ansokan.statistics import charts
from finsam_ansokan.statistics.services import AreaRow, MonthPoint


def _area(name, asked, granted, used, women=0, men=0):
    return AreaRow(
        None, name, asked=Decimal(asked), granted=Decimal(granted), used=Decimal(used),
        women=women, men=men, reports=1,
    )  # fmt: skip


def test_bars_are_in_proportion_and_the_largest_fills_the_room():
    chart = charts.money_chart([_area("A", 400, 200, 0), _area("B", 800, 100, 50)], 2026)
    widths = {bar.text: bar.width for group in chart.groups for bar in group.bars}
    room = charts.WIDTH - charts.LABEL_ROOM
    assert widths["Sökt 800\u00a0kr"] == room
    assert widths["Sökt 400\u00a0kr"] == room // 2
    assert widths["Förbrukat 0\u00a0kr"] == 0
    assert [g.label for g in chart.groups] == ["A", "B"]
    # every bar stays inside the picture with its text beside it
    assert all(chart.text_x(b) + 150 <= charts.WIDTH for g in chart.groups for b in g.bars)


def test_the_gender_bar_is_split_by_share_and_says_the_numbers():
    a = _area("A", 0, 0, 0, women=3, men=1)
    chart = charts.gender_chart([a, _area("B", 0, 0, 0)], a, 2026)
    women, men = chart.bars[0].segments
    assert women.width == 3 * (women.width + men.width + 2) // 4
    assert chart.bars[0].text == "Kvinnor 3 (75 %), män 1 (25 %), totalt 4"
    assert chart.bars[1].text == "Inga deltagare redovisade"
    assert chart.bars[-1].label == "Alla huvudområden"


def test_the_budget_line_rises_with_the_money_and_the_frame_is_drawn():
    months = [
        MonthPoint(1, Decimal(0), Decimal(0)),
        MonthPoint(2, Decimal(500), Decimal(100)),
        MonthPoint(3, Decimal(500), Decimal(400)),
    ]
    chart = charts.budget_use_chart(months, Decimal(1000), 2026)
    granted = next(line for line in chart.lines if line.label == "Beviljat")
    ys = [y for _, y in granted.points]
    assert ys[0] == chart.bottom and ys[1] < ys[0] and ys[2] == ys[1]
    assert chart.top <= chart.frame_y < ys[1]
    assert [t.label for t in chart.y_ticks][-1] == "1\u00a0000\u00a0kr"
    assert not chart.empty


def test_a_year_not_begun_has_no_lines():
    chart = charts.budget_use_chart([], Decimal(1000), 2030)
    assert chart.empty
    assert chart.frame_y is not None
