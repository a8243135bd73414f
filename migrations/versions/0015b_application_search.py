"""free-text search of applications: FTS5 on SQLite, a Swedish full-text GIN index on PostgreSQL

Revision ID: 0015b
Revises: 0015
Create Date: 2026-12-02 00:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015b'
down_revision = '0015'
branch_labels = None
depends_on = None

_DOCUMENT = (
    "coalesce(title, '') || ' ' || coalesce(contact_name, '') || ' ' || "
    "coalesce(project_leader, '') || ' ' || coalesce(contact_email, '')"
)
_SQLITE_ROW = (
    "coalesce(new.title, ''), "
    "coalesce(new.contact_name, '') || ' ' || coalesce(new.project_leader, '') || ' ' || "
    "coalesce(new.contact_email, ''), "
    "(SELECT name FROM organisations WHERE id = new.organisation_id)"
)


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            "CREATE INDEX ix_applications_fulltext ON applications "
            f"USING gin (to_tsvector('swedish'::regconfig, {_DOCUMENT}))"
        )
        op.execute(
            "CREATE INDEX ix_organisations_fulltext ON organisations "
            "USING gin (to_tsvector('swedish'::regconfig, name))"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE applications_fts USING fts5("
        "title, contact, organisation, tokenize = 'unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO applications_fts (rowid, title, contact, organisation) "
        "SELECT a.id, coalesce(a.title, ''), coalesce(a.contact_name, '') || ' ' || "
        "coalesce(a.project_leader, '') || ' ' || coalesce(a.contact_email, ''), o.name "
        "FROM applications a LEFT JOIN organisations o ON o.id = a.organisation_id"
    )
    op.execute(
        "CREATE TRIGGER applications_fts_insert AFTER INSERT ON applications BEGIN "
        "INSERT INTO applications_fts (rowid, title, contact, organisation) "
        f"VALUES (new.id, {_SQLITE_ROW}); END"
    )
    op.execute(
        "CREATE TRIGGER applications_fts_update AFTER UPDATE OF title, contact_name, "
        "project_leader, contact_email, organisation_id ON applications BEGIN "
        "DELETE FROM applications_fts WHERE rowid = old.id; "
        "INSERT INTO applications_fts (rowid, title, contact, organisation) "
        f"VALUES (new.id, {_SQLITE_ROW}); END"
    )
    op.execute(
        "CREATE TRIGGER applications_fts_delete AFTER DELETE ON applications BEGIN "
        "DELETE FROM applications_fts WHERE rowid = old.id; END"
    )
    op.execute(
        "CREATE TRIGGER applications_fts_organisation AFTER UPDATE OF name ON organisations "
        "BEGIN UPDATE applications_fts SET organisation = new.name WHERE rowid IN "
        "(SELECT id FROM applications WHERE organisation_id = new.id); END"
    )


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_organisations_fulltext")
        op.execute("DROP INDEX IF EXISTS ix_applications_fulltext")
        return
    for trigger in ("insert", "update", "delete", "organisation"):
        op.execute(f"DROP TRIGGER IF EXISTS applications_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS applications_fts")
