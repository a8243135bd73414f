"""Extensions, created unbound and initialised in :func:`finsam_ansokan.create_app`."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.schema import CreateIndex

# Stable constraint names, so Alembic migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@compiles(CreateIndex, "sqlite")
def _sqlite_index_without_nulls_order(create, compiler, **kw):
    """SQLite refuses NULLS FIRST/LAST in an index, and needs none: it sorts NULL lowest,
    so ``DESC`` already puts NULL last. An index declared ``desc().nulls_last()`` for
    PostgreSQL is created as plain ``DESC`` here."""
    return compiler.visit_create_index(create, **kw).replace(" NULLS LAST", "")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def rate_limit_store_ok() -> bool:
    """Does the limiter's storage (Redis, when configured) answer? With it down the limiter
    falls back to memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED) and logs a warning."""
    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 - any failure to reach it means "not ok"
        return False
