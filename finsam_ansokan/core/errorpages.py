"""Error pages in Swedish. A 500 rolls the transaction back; nothing half-done is stored."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

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


def register_error_handlers(app: Flask) -> None:
    def render(code: int, detail: str | None = None):
        title, text = MESSAGES.get(code, MESSAGES[500])
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
