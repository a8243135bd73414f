"""figure_versions: one version per (year, huvudområde) of the money figures that the
budget overview and the statistics read, written by every change to them in the same
transaction, so those pages can cache what they computed under the versions they read
(``finsam_ansokan/figures.py``). A year without rows is never cached (nothing marked the
change of figures written before); each budget year gets a row (huvudområde 0) here, so the
figures of the years already kept are cached from the start, and any later change of them
moves a version.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'figure_versions',
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('huvudomrade_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('year', 'huvudomrade_id', name=op.f('pk_figure_versions')),
    )
    op.execute(
        "INSERT INTO figure_versions (year, huvudomrade_id, version) "
        "SELECT year, 0, 1 FROM budget_years"
    )


def downgrade():
    op.drop_table('figure_versions')
