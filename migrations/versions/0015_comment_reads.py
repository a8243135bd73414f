"""comment_reads: how far each user has read the comments on each section of an application

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-01 23:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'comment_reads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=40), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_comment_reads_application_id_applications'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_comment_reads_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_reads')),
        sa.UniqueConstraint('user_id', 'application_id', 'section', name=op.f('uq_comment_reads_user_id_application_id_section')),
    )
    with op.batch_alter_table('comment_reads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_reads_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment_reads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_reads_application_id'))
    op.drop_table('comment_reads')
