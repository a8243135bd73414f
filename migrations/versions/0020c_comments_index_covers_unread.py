"""the comments index also holds author and section: the start pages' unread comments
(``review.services.unread_condition``) are found from the index alone

Revision ID: 0020c
Revises: 0020b
Create Date: 2026-12-02 07:45:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020c'
down_revision = '0020b'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_comments_application_created', table_name='comments')
    op.create_index(
        'ix_comments_application_created',
        'comments',
        ['application_id', 'created_at', 'author_id', 'section'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_comments_application_created', table_name='comments')
    op.create_index(
        'ix_comments_application_created', 'comments', ['application_id', 'created_at'], unique=False
    )
