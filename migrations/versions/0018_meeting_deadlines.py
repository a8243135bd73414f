"""the year's calendar: beredningsgrupp meetings, each board meeting's deadline for complete
applications (``meetings.application_deadline``, set by the kansli or none for the rule) and
the förbund's number of days before a meeting (``meeting_settings.deadline_days``)

On SQLite batch mode rebuilds ``meetings`` to change its kind CHECK, and SQLite drops the
triggers that lock justerade minutes (0007, 0009) with the table or refuses the rename while
other tables' triggers name it: every trigger that names ``meetings`` is read from
``sqlite_master``, dropped first and made again afterwards, word for word.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 05:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_OLD_KINDS = "'styrelsemote', 'extra_styrelsemote'"
_NEW_KINDS = _OLD_KINDS + ", 'beredningsgrupp'"


def _drop_sqlite_meeting_triggers():
    """The triggers that name ``meetings`` (SQLite only), dropped; their SQL is returned."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    rows = bind.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%meetings%'")
    ).all()
    for name, _sql in rows:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return [sql for _name, sql in rows]


def _make_again(triggers):
    for sql in triggers:
        op.execute(sql)


def _kinds(kinds):
    triggers = _drop_sqlite_meeting_triggers()
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meetings_kind_valid'), type_='check')
        batch_op.create_check_constraint(op.f('ck_meetings_kind_valid'), f"kind IN ({kinds})")
    return triggers


def upgrade():
    with op.batch_alter_table('meeting_settings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('deadline_days', sa.Integer(), server_default='21', nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_meeting_settings_deadline_days_valid'), 'deadline_days BETWEEN 1 AND 120'
        )
    op.add_column('meetings', sa.Column('application_deadline', sa.Date(), nullable=True))
    _make_again(_kinds(_NEW_KINDS))


def downgrade():
    op.execute("DELETE FROM meetings WHERE kind = 'beredningsgrupp'")
    triggers = _kinds(_OLD_KINDS)
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('application_deadline')
    _make_again(triggers)
    with op.batch_alter_table('meeting_settings', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_meeting_settings_deadline_days_valid'), type_='check')
        batch_op.drop_column('deadline_days')
