"""The förbund, its members and the people who use the system."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .roles import OrganisationKind, Role

UNUSABLE_PASSWORD_PREFIX = "!"  # noqa: S105 - werkzeug never produces a hash that starts with "!"

_ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)
_KIND_VALUES = ", ".join(f"'{k.value}'" for k in OrganisationKind)


class Forbund(db.Model):
    """The samordningsförbund this installation serves (one row)."""

    __tablename__ = "forbund"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_number: Mapped[str] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(254))
    #: Two-factor sign-in is always required for kansli and admin; this adds styrelse.
    totp_for_styrelse: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: Days after deactivation before a user who acted may be anonymised.
    anonymise_after_days: Mapped[int] = mapped_column(Integer, default=365, server_default="365")
    #: The förbundschef, a kansli user: accepts the grant agreements for the förbund.
    forbundschef_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    forbundschef: Mapped[User | None] = relationship()


class Organisation(db.Model):
    """A member organisation (medlem, part) of the förbund."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint(f"kind IN ({_KIND_VALUES})", name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    population: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    #: The organisation's authorised signatory (firmatecknare), one of its users: accepts
    #: the grant agreements of its projects.
    signatory_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True, name="fk_organisations_signatory_id_users")
    )

    users: Mapped[list[User]] = relationship(
        back_populates="organisation", foreign_keys="User.organisation_id"
    )
    signatory: Mapped[User | None] = relationship(foreign_keys=[signatory_id], post_update=True)

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label

    def __str__(self) -> str:
        return self.name


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(f"role IN ({_ROLE_VALUES})", name="role_valid"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Bumped whenever the password changes, so other sessions are logged out.
    session_token: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Free-text notes for the administrator (e.g. "ersättare för Region Kronoberg").
    notes: Mapped[str | None] = mapped_column(Text)
    #: Set while an invitation waits to be accepted (the user has no password yet).
    invited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    anonymised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The second factor (RFC 6238). ``totp_last_step`` refuses a code used twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="users", foreign_keys=[organisation_id]
    )
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    # --- roles ---------------------------------------------------------------
    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def set_roles(self, roles: set[Role] | list[Role]) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if Role(r.role) in wanted]
        have = {Role(r.role) for r in self.role_rows}
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role.value))

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in sorted(self.roles)]

    # --- password ------------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.session_token = (self.session_token or 0) + 1

    def clear_password(self) -> None:
        """No password works any more (an invitation waits, or a reset is forced); every
        link sent before dies, since its token is bound to the old hash."""
        self.password_hash = UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(16)
        self.session_token = (self.session_token or 0) + 1

    @property
    def has_password(self) -> bool:
        return not self.password_hash.startswith(UNUSABLE_PASSWORD_PREFIX)

    def check_password(self, password: str) -> bool:
        if not self.has_password:
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def totp_enabled(self) -> bool:
        return bool(self.totp_secret)

    @property
    def invitation_pending(self) -> bool:
        return self.invited_at is not None

    # --- Flask-Login ---------------------------------------------------------
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token or 0}"

    def __str__(self) -> str:
        return self.name


class UserSession(db.Model):
    """One signed-in browser. The cookie holds a random id whose hash is the key here;
    logging out deletes the row, so a copied cookie stops working at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: When the user last proved who they are (password, code or provider) in this session.
    authenticated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: "password", "totp" (password and a second factor) or "oidc".
    method: Mapped[str] = mapped_column(String(20))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A single-use code for when the authenticator is lost. Only a hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OidcProvider(db.Model):
    """An organisation's own identity provider (OpenID Connect). It proves who someone is;
    the förbund alone decides their roles."""

    __tablename__ = "oidc_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(String(500))
    #: E-mail domains served, space separated (``alvesta.se region.se``); empty: any.
    email_domains: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: Create an account on first sign-in (with ``new_user_role`` in ``organisation``);
    #: otherwise the account must exist already.
    create_users: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    new_user_role: Mapped[str | None] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    organisation: Mapped[Organisation | None] = relationship()

    def serves(self, email: str) -> bool:
        domains = self.email_domains.split()
        return not domains or email.rsplit("@", 1)[-1].lower() in domains


class OidcIdentity(db.Model):
    """A user's subject at a provider, bound at the first sign-in."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("oidc_providers.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
