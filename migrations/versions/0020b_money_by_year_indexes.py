"""indexes for the money of a year per huvudområde (budget overview, statistics):
utbetalt (payment requests by status and year; the kansli's start page counts
the rekvisitioner waiting by status), förbrukat (report costs by year, each
project's latest approved report), föreslaget (proposal amounts by year), participants (the
approved reports of a year), and an application's huvudområde and status without its row

Revision ID: 0020b
Revises: 0020
Create Date: 2026-12-02 07:35:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020b'
down_revision = '0020'
branch_labels = None
depends_on = None

_INDEXES = [
    ('ix_payment_requests_status_year', 'payment_requests',
     ['status', 'year', 'application_id', 'amount', 'paid_on']),
    ('ix_report_costs_year_report', 'report_costs', ['year', 'report_id', 'amount']),
    ('ix_reports_application_status_due', 'reports', ['application_id', 'status', 'due_date', 'id']),
    ('ix_reports_status_period', 'reports', ['status', 'period_end', 'application_id', 'id']),
    ('ix_assessment_amounts_year', 'assessment_amounts', ['year', 'assessment_id', 'amount']),
    ('ix_applications_id_area', 'applications', ['id', 'huvudomrade_id', 'status']),
]


def upgrade():
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade():
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
