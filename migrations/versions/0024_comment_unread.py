"""comment_unread: per user and application, how many comments the user has not read and when
the newest was written, so the start pages read a user's own rows of open cases instead of every
open case's comments (kept by ``review.services.refresh_unread`` where comments are written and
read); filled here from ``comments`` and ``comment_reads`` by the same rule. ``is_open`` follows
the case's status through a trigger on ``applications`` (SQLite and PostgreSQL). Indexes for
the start pages: a user's open rows, and cases by status with what ``visible_to`` reads
(replacing ``ix_applications_status_updated``, its first two columns), and the agreements
waiting for an acceptance.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# review.services.refresh_unread, for every application and user, as of this revision
_FILL = """
INSERT INTO comment_unread
    (user_id, application_id, unread, latest_at, unread_public, latest_public_at, is_open)
SELECT users.id, comments.application_id, count(*), max(comments.created_at),
       sum(CASE WHEN comments.internal = false THEN 1 ELSE 0 END),
       max(CASE WHEN comments.internal = false THEN comments.created_at END),
       applications.status IN {open}
FROM comments
JOIN applications ON applications.id = comments.application_id
JOIN users ON users.id != comments.author_id AND (
    EXISTS (SELECT 1 FROM user_roles WHERE user_roles.user_id = users.id
            AND user_roles.role IN ('beredning', 'kansli', 'styrelse'))
    OR (users.organisation_id = applications.organisation_id
        AND EXISTS (SELECT 1 FROM user_roles WHERE user_roles.user_id = users.id
                    AND user_roles.role = 'sokande')))
LEFT OUTER JOIN comment_reads ON comment_reads.user_id = users.id
    AND comment_reads.application_id = comments.application_id
    AND comment_reads.section = coalesce(comments.section, '')
WHERE comment_reads.read_at IS NULL OR comments.created_at > comment_reads.read_at
GROUP BY users.id, comments.application_id, applications.status
"""

#: review.policy.OPEN_FOR_COMMENTS, as stored
_OPEN = "('inskickad', 'klar_for_beslut', 'komplettering_begard', 'under_beredning', 'utkast')"
_FILL = _FILL.format(open=_OPEN)

_SQLITE_TRIGGER = f"""
CREATE TRIGGER trg_comment_unread_follows_status
AFTER UPDATE OF status ON applications
FOR EACH ROW WHEN OLD.status IS NOT NEW.status
BEGIN
    UPDATE comment_unread SET is_open = (NEW.status IN {_OPEN})
    WHERE application_id = NEW.id;
END
"""

_PG_FUNCTION = f"""
CREATE FUNCTION comment_unread_follows_status() RETURNS trigger AS $$
BEGIN
    UPDATE comment_unread SET is_open = (NEW.status IN {_OPEN})
    WHERE application_id = NEW.id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

_PG_TRIGGER = """
CREATE TRIGGER trg_comment_unread_follows_status
AFTER UPDATE OF status ON applications
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
EXECUTE FUNCTION comment_unread_follows_status()
"""


#: agreements waiting for the förbund's or the applicant's acceptance (the start pages' counts)
_WAITING = (
    ('ix_agreements_waiting_forbund', 'drawn_up_at', 'forbund_accepted_at'),
    ('ix_agreements_waiting_applicant', 'decided_on', 'applicant_accepted_at'),
)


def upgrade():
    op.create_table(
        'comment_unread',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('unread', sa.Integer(), nullable=False),
        sa.Column('latest_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('unread_public', sa.Integer(), nullable=False),
        sa.Column('latest_public_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('is_open', sa.Boolean(), nullable=False),
        sa.CheckConstraint('unread > 0 AND unread_public >= 0', name=op.f('ck_comment_unread_counts_positive')),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_comment_unread_application_id_applications'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_comment_unread_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'application_id', name=op.f('pk_comment_unread')),
    )
    with op.batch_alter_table('comment_unread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_unread_application_id'), ['application_id'], unique=False)
        batch_op.create_index(
            'ix_comment_unread_open',
            ['user_id', 'application_id', 'unread', 'unread_public', 'latest_at', 'latest_public_at'],
            unique=False,
            postgresql_where=sa.text('is_open'),
            sqlite_where=sa.text('is_open'),
        )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_status_updated')
        batch_op.create_index(
            'ix_applications_status_visibility',
            ['status', 'updated_at', 'id', 'diarie_number', 'shared_for_comments', 'organisation_id'],
            unique=False,
        )
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        for name, column, accepted in _WAITING:
            batch_op.create_index(
                name,
                ['application_id', column, 'outside_system'],
                unique=False,
                postgresql_where=sa.text(f'{accepted} IS NULL'),
                sqlite_where=sa.text(f'{accepted} IS NULL'),
            )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    else:
        op.execute(_SQLITE_TRIGGER)
    op.execute(_FILL)


def downgrade():
    op.execute('DROP TRIGGER trg_comment_unread_follows_status ON applications'
               if op.get_bind().dialect.name == 'postgresql'
               else 'DROP TRIGGER trg_comment_unread_follows_status')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION comment_unread_follows_status()')
    with op.batch_alter_table('agreements', schema=None) as batch_op:
        for name, _, _ in _WAITING:
            batch_op.drop_index(name)
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_status_visibility')
        batch_op.create_index('ix_applications_status_updated', ['status', 'updated_at'], unique=False)
    with op.batch_alter_table('comment_unread', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_unread_open')
        batch_op.drop_index(batch_op.f('ix_comment_unread_application_id'))
    op.drop_table('comment_unread')
