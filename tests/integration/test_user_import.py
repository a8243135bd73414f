"""Many users from a CSV file: a preview with each row's errors, nothing half-imported."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from finsam_ansokan.accounts.models import User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications.models import OutboxMessage


def _upload(client, text: str, encoding: str = "utf-8"):
    return client.post(
        "/admin/anvandare/import",
        data={"file": (io.BytesIO(text.encode(encoding)), "anvandare.csv")},
        content_type="multipart/form-data",
    )


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


GOOD = (
    "namn;e-post;organisation;roller\n"
    "Alva Ek;alva@alvesta.example;Alvesta kommun;sokande,beredning\n"
    "Bo Björk;bo@region.example;;revisor\n"
)


def test_kansli_previews_then_imports_every_row_with_invitations(client, factory, login):
    login(factory.user(Role.KANSLI))
    factory.organisation("Alvesta kommun")
    before = _users()
    preview = _upload(client, "\ufeff" + GOOD)
    assert preview.status_code == 200
    assert "alva@alvesta.example" in preview.text and "Lägg till 2 användare" in preview.text
    assert _users() == before  # a preview saves nothing
    response = client.post("/admin/anvandare/import", data={"content": GOOD, "confirm": "1"})
    assert response.status_code == 302
    alva = db.session.scalars(select(User).where(User.email == "alva@alvesta.example")).one()
    assert alva.roles == {Role.SOKANDE, Role.BEREDNING}
    assert alva.organisation.name == "Alvesta kommun" and alva.invitation_pending
    assert db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_email == "bo@region.example")
    ).one()


def test_a_file_with_one_bad_row_shows_each_error_and_imports_nothing(client, factory, login):
    login(factory.user(Role.ADMIN))
    factory.organisation("Alvesta kommun")
    taken = factory.user(Role.REVISOR)
    bad = (
        GOOD
        + "Cecilia;cecilia@x.example;Okänd kommun;sokande\n"
        + "Dubbel;bo@region.example;;revisor\n"
        + f"Upptagen;{taken.email};;trollkarl\n"
        + "Utan org;utan@x.example;;sokande\n"
    )
    before = _users()
    preview = _upload(client, bad)
    assert preview.status_code == 422
    assert "Okänd organisation: Okänd kommun." in preview.text
    assert "Samma e-postadress som rad 3." in preview.text
    assert "Okänd roll: trollkarl." in preview.text
    assert "måste höra till en medlemsorganisation" in preview.text
    assert "Lägg till" not in preview.text.split("Förhandsgranskning")[1]
    # and a confirmation sent anyway (a tampered page) is refused whole
    response = client.post("/admin/anvandare/import", data={"content": bad, "confirm": "1"})
    assert response.status_code == 422 and "ingen användare har lagts till" in response.text
    assert _users() == before


def test_a_file_without_the_header_row_is_refused_with_the_expected_one(client, factory, login):
    login(factory.user(Role.ADMIN))
    response = _upload(client, "Alva Ek;alva@x.example;;revisor\n")
    assert response.status_code == 422
    assert "namn;e-post;organisation;roller" in response.text


def test_an_excel_file_in_windows_encoding_is_read(client, factory, login):
    login(factory.user(Role.ADMIN))
    preview = _upload(
        client, "namn,e-post,organisation,roller\nÅsa Öberg,asa@x.example,,revisor\n", "cp1252"
    )
    assert preview.status_code == 200 and "Åsa Öberg" in preview.text


def test_control_characters_in_the_file_are_dropped_not_a_server_error(client, factory, login):
    login(factory.user(Role.KANSLI))
    factory.organisation("Alvesta kommun")
    hostile = (
        "namn;e-post;organisation;roller\n"
        '"Alva\x00 Ek\r\nBcc: x";alva@alvesta.example;Alvesta\x00 kommun;sokande\n'
    )
    preview = _upload(client, hostile)
    assert preview.status_code == 200 and "Lägg till 1 användare" in preview.text
    response = client.post("/admin/anvandare/import", data={"content": hostile, "confirm": "1"})
    assert response.status_code == 302
    alva = db.session.scalars(select(User).where(User.email == "alva@alvesta.example")).one()
    assert alva.name == "Alva Ek Bcc: x" and alva.organisation.name == "Alvesta kommun"
