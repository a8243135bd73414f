"""frame_grants says what each row is: grant, revoke (decision changed) or return (unused)

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-01 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0008'
branch_labels = None
depends_on = None

# A row is a *return* when its application is closed (avslutad) and no grant to that
# application follows it: closing is the last movement of a project's money. Every other
# negative row is a decision changed before justering (*revoke*).
BACKFILL = """
UPDATE frame_grants SET kind = CASE
  WHEN amount > 0 THEN 'grant'
  WHEN EXISTS (
    SELECT 1 FROM applications a
    WHERE a.id = frame_grants.application_id AND a.status = 'avslutad'
  ) AND NOT EXISTS (
    SELECT 1 FROM frame_grants later
    WHERE later.application_id = frame_grants.application_id
      AND later.amount > 0 AND later.id > frame_grants.id
  ) THEN 'return'
  ELSE 'revoke'
END
"""


def _drop_append_only():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS frame_grants_append_only ON frame_grants")
    else:
        op.execute("DROP TRIGGER IF EXISTS frame_grants_no_update")
        op.execute("DROP TRIGGER IF EXISTS frame_grants_no_delete")


def _create_append_only():
    # as in 0006 (the PostgreSQL function stays in place)
    if op.get_bind().dialect.name == "postgresql":
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


def upgrade():
    _drop_append_only()
    with op.batch_alter_table('frame_grants', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=8), server_default='grant', nullable=False)
        )
    op.execute(BACKFILL)
    with op.batch_alter_table('frame_grants', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_frame_grants_kind_matches_sign'),
            "(kind = 'grant' AND amount > 0) OR (kind IN ('revoke', 'return') AND amount < 0)",
        )
    _create_append_only()


def downgrade():
    _drop_append_only()
    with op.batch_alter_table('frame_grants', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_frame_grants_kind_matches_sign'), type_='check')
        batch_op.drop_column('kind')
    _create_append_only()
