"""The migrations and the models describe the same schema (what `flask db check` checks)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from finsam_ansokan.extensions import db


def test_models_and_migrations_agree(app_ctx):
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    assert compare_metadata(context, db.metadata) == []
