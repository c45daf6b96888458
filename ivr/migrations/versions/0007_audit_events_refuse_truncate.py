"""audit events refuse truncate

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 09:00:00

TRUNCATE fires no row trigger, so the UPDATE/DELETE triggers of 0005 let `TRUNCATE audit_events`
erase the whole trail on PostgreSQL. A BEFORE TRUNCATE statement trigger refuses it (SQLite has no
TRUNCATE; its `DELETE FROM` without WHERE already fires the row trigger).
"""

from collections.abc import Sequence

from alembic import op

from ivr.staff.audit import DROP_TRUNCATE_TRIGGERS, TRUNCATE_TRIGGERS

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for statement in TRUNCATE_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    for statement in DROP_TRUNCATE_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)
