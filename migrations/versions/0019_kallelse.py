"""the kallelse: when it first went out to the board and who sent it
(``meetings.kallelse_sent_at``, ``meetings.kallelse_sent_by_id``), and when each agenda item
was put on the agenda (``agenda_items.created_at``: an item added after the kallelse is an
*extra ärende*; items from before this revision have none and count as on the kallelse)

On SQLite batch mode rebuilds ``meetings`` to add the foreign key; the triggers that lock
justerade minutes are dropped first and made again afterwards, word for word (as in 0018).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 06:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    triggers = _drop_sqlite_triggers()
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kallelse_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('kallelse_sent_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f('fk_meetings_kallelse_sent_by_id_users'), 'users', ['kallelse_sent_by_id'], ['id']
        )
    op.add_column(
        'agenda_items', sa.Column('created_at', sa.DateTime(timezone=True), nullable=True)
    )
    for sql in triggers:
        op.execute(sql)


def downgrade():
    triggers = _drop_sqlite_triggers()
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_column('created_at')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_meetings_kallelse_sent_by_id_users'), type_='foreignkey')
        batch_op.drop_column('kallelse_sent_by_id')
        batch_op.drop_column('kallelse_sent_at')
    for sql in triggers:
        op.execute(sql)


def _drop_sqlite_triggers():
    """SQLite's batch mode rebuilds the tables: the triggers that name them (0007, 0009) are
    dropped first and made again afterwards, word for word (as in 0018)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return []
    rows = bind.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (sql LIKE '%meetings%' OR sql LIKE '%agenda_items%')"
        )
    ).all()
    for name, _sql in rows:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return [sql for _name, sql in rows]
