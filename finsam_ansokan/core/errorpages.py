"""Error pages in Swedish. A 500 rolls the transaction back; nothing half-done is stored.

The 500 page says only what is known: an error before the commit leaves nothing saved (the
transaction is rolled back); one during or after the commit (a connection lost while the
database answered COMMIT) may come after the change was stored, so the page says that it
does not know and asks the user to look before trying again.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from finsam_ansokan.core.transaction import commit_attempted
from finsam_ansokan.extensions import db

MESSAGES = {
    400: ("Felaktig begäran", "Begäran kunde inte tolkas. Gå tillbaka och försök igen."),
    403: ("Åtkomst nekad", "Du har inte behörighet till den här sidan."),
    404: ("Sidan finns inte", "Sidan du söker finns inte, eller så saknar du behörighet."),
    405: ("Otillåten metod", "Sidan kan inte användas på det sättet."),
    409: ("Konflikt", "Någon annan har ändrat uppgifterna. Ladda om sidan och försök igen."),
    413: (
        "För stor fil",
        "Filen är för stor. Största tillåtna storlek anges vid uppladdningsfältet.",
    ),
    429: (
        "För många försök",
        "Du har gjort för många försök på kort tid. Vänta en stund och försök igen.",
    ),
    500: (
        "Något gick fel",
        "Ett oväntat fel inträffade. Ingenting har sparats. Försök igen om en stund.",
    ),
}
#: A 500 at or after the commit of a change: it may be stored, or not.
OUTCOME_UNKNOWN = (
    "Ett oväntat fel inträffade medan ändringen sparades. Vi vet inte om den hann sparas: "
    "kontrollera sidan innan du försöker igen, så att ingenting görs två gånger."
)
#: A 500 at or after the commit of a page that only read: say nothing about saving.
READ_FAILED = "Ett oväntat fel inträffade. Försök igen om en stund."


def _server_error_text() -> str:
    if not commit_attempted():
        return MESSAGES[500][1]
    return READ_FAILED if request.method in ("GET", "HEAD", "OPTIONS") else OUTCOME_UNKNOWN


def register_error_handlers(app: Flask) -> None:
    def render(code: int, detail: str | None = None):
        title, text = MESSAGES.get(code, MESSAGES[500])
        if code >= 500 and detail is None:
            text = _server_error_text()
        return render_template(
            "errors/error.html", code=code, title=title, text=detail or text
        ), code

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render(
            400,
            "Formuläret hade gått ut eller saknade säkerhetstoken. Ladda om sidan och skicka igen.",
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error")
        return render(500)
