"""a partial index of the agreements waiting for an acceptance: the follow-up list and Att göra
find the few that wait without reading every accepted one

Revision ID: 0026
Revises: 0022
Create Date: 2026-12-02 12:55:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0022"
branch_labels = None
depends_on = None

AWAITING = sa.text(
    "outside_system IS false AND (applicant_accepted_at IS NULL OR forbund_accepted_at IS NULL)"
)


def upgrade():
    op.create_index(
        "ix_agreements_awaiting",
        "agreements",
        ["drawn_up_at", "id", "application_id"],
        unique=False,
        postgresql_where=AWAITING,
        sqlite_where=AWAITING,
    )


def downgrade():
    op.drop_index("ix_agreements_awaiting", table_name="agreements")
