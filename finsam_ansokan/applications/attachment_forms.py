"""The upload form for bilagor: the shape of the input only; the service checks the file."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField

from finsam_ansokan.core.filetypes import ALLOWED
from finsam_ansokan.core.forms import Form


class AttachmentForm(Form):
    file = FileField(
        "Välj fil",
        render_kw={"accept": ",".join(f".{ext}" for ext in ALLOWED)},
    )
    #: Where to return after the upload (the page the form sits on); checked before use.
    next = HiddenField()
