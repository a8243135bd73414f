"""the application list's order index also holds ``shared_for_comments``: the list's
visibility (registered, or a draft shared for comments) is then read from the index, so a
deep page and the list's count scan the index instead of the table

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

# the list's default order; on SQLite created as plain DESC (finsam_ansokan.extensions)
_LIST_ORDER = [
    sa.text('diarie_year DESC NULLS LAST'),
    sa.text('diarie_number DESC NULLS LAST'),
    sa.text('id DESC'),
]


def upgrade():
    op.drop_index('ix_applications_list_order', table_name='applications')
    op.create_index(
        'ix_applications_list_order',
        'applications',
        [*_LIST_ORDER, sa.text('shared_for_comments')],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_applications_list_order', table_name='applications')
    op.create_index('ix_applications_list_order', 'applications', _LIST_ORDER, unique=False)
