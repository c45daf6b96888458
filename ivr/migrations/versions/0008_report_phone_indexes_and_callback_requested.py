"""report phone indexes and callback requested

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 09:10:00

The queue's phone search reads `caller_number` and `callback_number`: indexed, so it no longer
scans the reports. `callback_requested` keeps that a report needed a callback after staff clear
`needs_callback`; reports from before this revision are marked from what they left behind.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("callback_requested", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            batch_op.f("ix_reports_caller_number"), ["caller_number"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reports_callback_number"), ["callback_number"], unique=False
        )

    reports = sa.table(
        "reports",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("needs_callback", sa.Boolean()),
        sa.column("callback_requested", sa.Boolean()),
        sa.column("completed_at", sa.DateTime()),
    )
    changes = sa.table(
        "report_changes",
        sa.column("report_id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("old_value", sa.Text()),
        sa.column("new_value", sa.Text()),
    )
    # Needed a callback: waiting for one now, had one tried or asked for by staff, or was left
    # partial by its call (the line marks those) and has since been settled by staff.
    asked_or_tried = sa.select(changes.c.report_id).where(
        sa.or_(
            changes.c.kind == "callback",
            sa.and_(changes.c.kind == "status", changes.c.new_value == "needs_callback"),
        )
    )
    was_not_taken = sa.select(changes.c.report_id).where(
        changes.c.kind == "status", changes.c.old_value == "not_taken"
    )
    left_partial = sa.and_(
        reports.c.completed_at.is_(None),
        reports.c.status.not_in(["partial", "not_taken"]),
        reports.c.id.not_in(was_not_taken),
    )
    op.execute(
        reports.update()
        .where(
            sa.or_(
                reports.c.needs_callback.is_(True),
                reports.c.id.in_(asked_or_tried),
                left_partial,
            )
        )
        .values(callback_requested=sa.true())
    )


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_callback_number"))
        batch_op.drop_index(batch_op.f("ix_reports_caller_number"))
        batch_op.drop_column("callback_requested")
