"""The migrations and the models describe the same schema (what `flask db check` checks)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from finsam_ansokan.applications.search import include_name
from finsam_ansokan.extensions import db


def test_models_and_migrations_agree(app_ctx):
    connection = db.session.connection()
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_name": include_name}
    )
    assert compare_metadata(context, db.metadata) == []
