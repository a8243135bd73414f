"""application budget years: the years an application asks money for

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 15:09:43.830849

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_year', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_year', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_applications_budget_years_in_order'),
            'first_year IS NULL OR last_year IS NULL OR first_year <= last_year',
        )


def downgrade():
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_applications_budget_years_in_order'), type_='check')
        batch_op.drop_column('last_year')
        batch_op.drop_column('first_year')
