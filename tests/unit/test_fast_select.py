"""The forms' select widget writes the same HTML as WTForms' own, only faster."""

import pytest
from wtforms.fields.choices import Choice
from wtforms.widgets import Select

from finsam_ansokan.core.forms import FastSelect


@pytest.mark.parametrize(
    "choice",
    [
        Choice("2026", "2026", True, {}),
        Choice("", "Alla", False, {}),
        Choice("7", "", False, None),
        Choice('a"<b', "L&<\"'", True, {}),
        Choice("x'y", "Region Kronoberg", False, {}),
        Choice("1", "Avstängd", False, {"disabled": True}),
    ],
)
def test_an_option_is_written_as_wtforms_writes_it(choice):
    assert FastSelect.render_option(choice) == Select.render_option(choice)
