"""the överenskommelse (grant agreement): ``agreements``, one per granting decision, with its
text fixed when drawn up and the two acceptances; the organisation's authorised signatory
(``organisations.signatory_id``) and the förbundschef (``forbund.forbundschef_id``)

The database refuses to delete an agreement, to change its text, or to change an acceptance
once given (triggers on SQLite and PostgreSQL, like the event log's).

Projects granted before this revision (beviljad, delvis beviljad, pågående, avslutad) get an
agreement recorded as made *outside the system* (``outside_system``), accepted by both
parties, so the rule "no rekvisition without an accepted agreement" holds for every project
without stopping the payments of those already running.

On SQLite the two columns are added with their foreign keys in place (no rebuild of tables
that others refer to); the downgrade rebuilds them in batch mode, dropping and making again
any trigger that names them, word for word (as in 0019).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 07:30:00

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

_GRANTED = ("beviljad", "delvis_beviljad", "pagaende", "avslutad")
_OUTSIDE = "Upprättad utanför systemet"


def upgrade():
    op.create_table(
        'agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=200), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('amounts', sa.JSON(), nullable=False),
        sa.Column('villkor', sa.Text(), nullable=True),
        sa.Column('content', sa.JSON(), nullable=False),
        sa.Column('outside_system', sa.Boolean(), server_default='0', nullable=False),
        sa.Column(
            'drawn_up_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
            nullable=False,
        ),
        sa.Column('drawn_up_by_id', sa.Integer(), nullable=True),
        sa.Column('applicant_accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('applicant_accepted_by_id', sa.Integer(), nullable=True),
        sa.Column('applicant_accepted_name', sa.String(length=300), nullable=True),
        sa.Column('forbund_accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('forbund_accepted_by_id', sa.Integer(), nullable=True),
        sa.Column('forbund_accepted_name', sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            '(applicant_accepted_at IS NULL) = (applicant_accepted_name IS NULL)',
            name=op.f('ck_agreements_applicant_acceptance_named'),
        ),
        sa.CheckConstraint(
            '(forbund_accepted_at IS NULL) = (forbund_accepted_name IS NULL)',
            name=op.f('ck_agreements_forbund_acceptance_named'),
        ),
        sa.CheckConstraint(
            'outside_system OR decided_on IS NOT NULL',
            name=op.f('ck_agreements_decided_on_known'),
        ),
        sa.ForeignKeyConstraint(
            ['application_id'], ['applications.id'], name=op.f('fk_agreements_application_id_applications')
        ),
        sa.ForeignKeyConstraint(
            ['drawn_up_by_id'], ['users.id'], name=op.f('fk_agreements_drawn_up_by_id_users')
        ),
        sa.ForeignKeyConstraint(
            ['applicant_accepted_by_id'], ['users.id'],
            name=op.f('fk_agreements_applicant_accepted_by_id_users'),
        ),
        sa.ForeignKeyConstraint(
            ['forbund_accepted_by_id'], ['users.id'],
            name=op.f('fk_agreements_forbund_accepted_by_id_users'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
        sa.UniqueConstraint(
            'application_id', 'reference', name=op.f('uq_agreements_application_id_reference')
        ),
    )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_agreements_application_id'), ['application_id'], unique=False
        )

    _add_user_column('organisations', 'signatory_id')
    _add_user_column('forbund', 'forbundschef_id')

    _record_agreements_made_outside()
    _create_fixed_text_triggers()


#: Columns of the text as drawn up: never changed.
_FIXED = (
    'application_id', 'reference', 'decided_on', 'amounts', 'villkor', 'content',
    'outside_system', 'drawn_up_at', 'drawn_up_by_id',
)
_JSON = ('amounts', 'content')
_SIDES = ('applicant', 'forbund')


def _create_fixed_text_triggers():
    """The database holds what the service promises: an agreement is never deleted, its
    text never changes, and each side's acceptance, once given, stays as it was."""
    if op.get_bind().dialect.name == 'postgresql':
        def differs(column):
            cast = '::text' if column in _JSON else ''
            return f'NEW.{column}{cast} IS DISTINCT FROM OLD.{column}{cast}'

        text_changed = ' OR '.join(differs(c) for c in _FIXED)
        accepted_changed = ' OR '.join(
            f'(OLD.{side}_accepted_at IS NOT NULL AND ('
            + ' OR '.join(differs(f'{side}_accepted_{part}') for part in ('at', 'by_id', 'name'))
            + '))'
            for side in _SIDES
        )
        op.execute(
            "CREATE FUNCTION agreements_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'agreements: an agreement is never deleted'; "
            f"END IF; IF {text_changed} THEN "
            "RAISE EXCEPTION 'agreements: the text of an agreement never changes'; END IF; "
            f"IF {accepted_changed} THEN "
            "RAISE EXCEPTION 'agreements: an acceptance is given once'; END IF; "
            "RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER agreements_fixed BEFORE UPDATE OR DELETE ON agreements "
            "FOR EACH ROW EXECUTE FUNCTION agreements_fixed()"
        )
        return

    def differs(column):
        return f'NEW.{column} IS NOT OLD.{column}'

    text_changed = ' OR '.join(differs(c) for c in _FIXED)
    accepted_changed = ' OR '.join(
        f'(OLD.{side}_accepted_at IS NOT NULL AND ('
        + ' OR '.join(differs(f'{side}_accepted_{part}') for part in ('at', 'by_id', 'name'))
        + '))'
        for side in _SIDES
    )
    op.execute(
        "CREATE TRIGGER agreements_no_delete BEFORE DELETE ON agreements "
        "BEGIN SELECT RAISE(ABORT, 'agreements: an agreement is never deleted'); END"
    )
    op.execute(
        f"CREATE TRIGGER agreements_text_fixed BEFORE UPDATE ON agreements WHEN {text_changed} "
        "BEGIN SELECT RAISE(ABORT, 'agreements: the text of an agreement never changes'); END"
    )
    op.execute(
        "CREATE TRIGGER agreements_accepted_once BEFORE UPDATE ON agreements "
        f"WHEN {accepted_changed} "
        "BEGIN SELECT RAISE(ABORT, 'agreements: an acceptance is given once'); END"
    )


def _add_user_column(table, column):
    """A nullable column naming a user. SQLite adds it with its foreign key in place (ALTER
    TABLE … ADD COLUMN … REFERENCES): batch mode would rebuild a table that other tables'
    foreign keys name, which SQLite refuses once rows exist."""
    name = f'fk_{table}_{column}_users'
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            f'ALTER TABLE {table} ADD COLUMN {column} INTEGER '
            f'CONSTRAINT {name} REFERENCES users (id)'
        )
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(name, table, 'users', [column], ['id'])


def _record_agreements_made_outside():
    """One agreement per project already granted, accepted by both outside the system."""
    bind = op.get_bind()
    ids = bind.execute(
        sa.text("SELECT id FROM applications WHERE status IN :granted").bindparams(
            sa.bindparam('granted', expanding=True)
        ),
        {'granted': list(_GRANTED)},
    ).scalars().all()
    if not ids:
        return
    now = datetime.now(timezone.utc)
    table = sa.table(
        'agreements',
        sa.column('application_id', sa.Integer()),
        sa.column('reference', sa.String()),
        sa.column('amounts', sa.JSON()),
        sa.column('content', sa.JSON()),
        sa.column('outside_system', sa.Boolean()),
        sa.column('applicant_accepted_at', sa.DateTime(timezone=True)),
        sa.column('applicant_accepted_name', sa.String()),
        sa.column('forbund_accepted_at', sa.DateTime(timezone=True)),
        sa.column('forbund_accepted_name', sa.String()),
    )
    op.bulk_insert(
        table,
        [
            {
                'application_id': application_id,
                'reference': _OUTSIDE,
                'amounts': {},
                'content': {},
                'outside_system': True,
                'applicant_accepted_at': now,
                'applicant_accepted_name': _OUTSIDE,
                'forbund_accepted_at': now,
                'forbund_accepted_name': _OUTSIDE,
            }
            for application_id in ids
        ],
    )


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    triggers = _drop_sqlite_triggers()
    for table, column in (('forbund', 'forbundschef_id'), ('organisations', 'signatory_id')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            if not sqlite:  # SQLite's rebuild leaves the column's foreign key out with it
                batch_op.drop_constraint(f'fk_{table}_{column}_users', type_='foreignkey')
            batch_op.drop_column(column)
    for sql in triggers:
        op.execute(sql)
    if not sqlite:
        op.execute("DROP TRIGGER IF EXISTS agreements_fixed ON agreements")
        op.execute("DROP FUNCTION IF EXISTS agreements_fixed()")
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreements_application_id'))
    op.drop_table('agreements')  # on SQLite its triggers go with it


def _drop_sqlite_triggers():
    """SQLite's batch mode rebuilds the tables: the triggers that name them are dropped
    first and made again afterwards, word for word (as in 0019)."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return []
    rows = bind.execute(
        sa.text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "AND (sql LIKE '%organisations%' OR sql LIKE '%forbund%')"
        )
    ).all()
    for name, _sql in rows:
        op.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return [sql for _name, sql in rows]
