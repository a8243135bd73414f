"""frame_grants is append-only: the ledger of granted money is never changed or deleted

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # A correction is a new (negative) row, never an edit: like the event log, the
    # database refuses UPDATE and DELETE, so no code path can rewrite what was granted.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION frame_grants_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'frame_grants is append-only: % refused', TG_OP; END $$"
        )
        op.execute(
            "CREATE TRIGGER frame_grants_append_only BEFORE UPDATE OR DELETE ON frame_grants "
            "FOR EACH ROW EXECUTE FUNCTION frame_grants_append_only()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER frame_grants_no_{operation.lower()} BEFORE {operation} "
                "ON frame_grants BEGIN SELECT RAISE(ABORT, 'frame_grants is append-only'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS frame_grants_append_only ON frame_grants")
        op.execute("DROP FUNCTION IF EXISTS frame_grants_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS frame_grants_no_update")
        op.execute("DROP TRIGGER IF EXISTS frame_grants_no_delete")
