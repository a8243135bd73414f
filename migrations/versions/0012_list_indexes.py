"""indexes for the application list's default order and the start pages' lists

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-01 23:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0013'
branch_labels = None
depends_on = None

# the list's default order; on SQLite created as plain DESC (finsam_ansokan.extensions)
_LIST_ORDER = [
    sa.text('diarie_year DESC NULLS LAST'),
    sa.text('diarie_number DESC NULLS LAST'),
    sa.text('id DESC'),
]


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_list_order', _LIST_ORDER, unique=False)
        batch_op.create_index('ix_applications_status_submitted', ['status', 'submitted_at'], unique=False)
        batch_op.create_index('ix_applications_organisation_updated', ['organisation_id', 'updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index('ix_applications_organisation_updated')
        batch_op.drop_index('ix_applications_status_submitted')
        batch_op.drop_index('ix_applications_list_order')
