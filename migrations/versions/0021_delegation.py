"""delegation: the board's delegationsordning (``delegation_orders`` with a limit per
huvudområde, per case and per budget year in ``delegation_limits``) and the delegationsbeslut
made under it (``delegation_decisions``, numbered ``D 2026:3`` unique per year, with their
amounts per year in ``delegation_amounts``)

A delegationsbeslut is final when made: the database refuses DELETE of decisions and amounts,
UPDATE of amounts, and any UPDATE of a decision other than the agenda item at which it is
reported (anmält) to the board, and that too once the meeting's minutes are justerade.

Revision ID: 0021
Revises: 0020c
Create Date: 2026-12-02 07:10:55

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "delegation_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adopted_by", sa.String(length=200), nullable=False),
        sa.Column("adopted_on", sa.Date(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_delegation_orders_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["users.id"], name=op.f("fk_delegation_orders_delegate_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_orders")),
    )
    with op.batch_alter_table("delegation_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delegation_orders_valid_from"), ["valid_from"], unique=False
        )

    op.create_table(
        "delegation_limits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("huvudomrade_id", sa.Integer(), nullable=False),
        sa.Column("max_per_case", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("max_per_year", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint("max_per_case > 0", name=op.f("ck_delegation_limits_per_case_positive")),
        sa.CheckConstraint(
            "max_per_year >= max_per_case", name=op.f("ck_delegation_limits_year_covers_case")
        ),
        sa.ForeignKeyConstraint(
            ["huvudomrade_id"],
            ["huvudomraden.id"],
            name=op.f("fk_delegation_limits_huvudomrade_id_huvudomraden"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["delegation_orders.id"],
            name=op.f("fk_delegation_limits_order_id_delegation_orders"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_limits")),
        sa.UniqueConstraint(
            "order_id", "huvudomrade_id", name=op.f("uq_delegation_limits_order_id_huvudomrade_id")
        ),
    )
    with op.batch_alter_table("delegation_limits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delegation_limits_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "delegation_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("limit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=True),
        sa.Column("villkor", sa.Text(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("background", sa.Text(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "decided_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("reported_item_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('bevilja', 'delvis_bevilja', 'avsla')",
            name=op.f("ck_delegation_decisions_kind_valid"),
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_delegation_decisions_number_positive")),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_delegation_decisions_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_delegation_decisions_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["limit_id"],
            ["delegation_limits.id"],
            name=op.f("fk_delegation_decisions_limit_id_delegation_limits"),
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["assessments.id"],
            name=op.f("fk_delegation_decisions_proposal_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["reported_item_id"],
            ["agenda_items.id"],
            name=op.f("fk_delegation_decisions_reported_item_id_agenda_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_decisions")),
        sa.UniqueConstraint("application_id", name=op.f("uq_delegation_decisions_application_id")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_delegation_decisions_year_number")),
    )
    with op.batch_alter_table("delegation_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delegation_decisions_limit_id"), ["limit_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_delegation_decisions_reported_item_id"),
            ["reported_item_id"],
            unique=False,
        )

    op.create_table(
        "delegation_amounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_delegation_amounts_amount_nonnegative")),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["delegation_decisions.id"],
            name=op.f("fk_delegation_amounts_decision_id_delegation_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegation_amounts")),
        sa.UniqueConstraint(
            "decision_id", "year", name=op.f("uq_delegation_amounts_decision_id_year")
        ),
    )
    with op.batch_alter_table("delegation_amounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_delegation_amounts_decision_id"), ["decision_id"], unique=False
        )

    _create_guards()


_COLUMNS = (
    "year",
    "number",
    "application_id",
    "limit_id",
    "kind",
    "motivation",
    "villkor",
    "proposal_id",
    "background",
    "decided_on",
    "decided_by_id",
    "decided_at",
)


#: The decision was reported at a meeting whose minutes are justerade: the anmälan is a record.
_REPORTED_IN_SIGNED = (
    "EXISTS (SELECT 1 FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id "
    "WHERE a.id = OLD.reported_item_id AND m.signed_at IS NOT NULL)"
)


def _create_guards():
    if op.get_bind().dialect.name == "postgresql":
        changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _COLUMNS)
        op.execute(
            "CREATE FUNCTION delegation_decisions_final() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP = 'DELETE' OR TG_TABLE_NAME = 'delegation_amounts' THEN "
            "RAISE EXCEPTION 'delegationsbeslut are final: % refused', TG_OP; END IF; "
            f"IF {changed} OR {_REPORTED_IN_SIGNED} THEN "
            "RAISE EXCEPTION 'delegationsbeslut are final: only the anmälan may change, "
            "until its minutes are justerade'; END IF; "
            "RETURN NEW; END $$"
        )
        for table in ("delegation_decisions", "delegation_amounts"):
            op.execute(
                f"CREATE TRIGGER {table}_final BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION delegation_decisions_final()"
            )
    else:
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _COLUMNS)
        op.execute(
            "CREATE TRIGGER delegation_decisions_no_update BEFORE UPDATE ON delegation_decisions "
            f"WHEN {changed} OR {_REPORTED_IN_SIGNED} "
            "BEGIN SELECT RAISE(ABORT, 'delegationsbeslut are final'); END"
        )
        for table in ("delegation_decisions", "delegation_amounts"):
            op.execute(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'delegationsbeslut are final'); END"
            )
        op.execute(
            "CREATE TRIGGER delegation_amounts_no_update BEFORE UPDATE ON delegation_amounts "
            "BEGIN SELECT RAISE(ABORT, 'delegationsbeslut are final'); END"
        )


def _drop_guards():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("delegation_decisions", "delegation_amounts"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_final ON {table}")
        op.execute("DROP FUNCTION IF EXISTS delegation_decisions_final()")
    else:
        for name in (
            "delegation_decisions_no_update",
            "delegation_decisions_no_delete",
            "delegation_amounts_no_delete",
            "delegation_amounts_no_update",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def downgrade():
    _drop_guards()
    with op.batch_alter_table("delegation_amounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_amounts_decision_id"))

    op.drop_table("delegation_amounts")
    with op.batch_alter_table("delegation_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_decisions_reported_item_id"))
        batch_op.drop_index(batch_op.f("ix_delegation_decisions_limit_id"))

    op.drop_table("delegation_decisions")
    with op.batch_alter_table("delegation_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_limits_order_id"))

    op.drop_table("delegation_limits")
    with op.batch_alter_table("delegation_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegation_orders_valid_from"))

    op.drop_table("delegation_orders")
