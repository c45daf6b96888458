"""caller name trigram index (PostgreSQL)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 09:00:00

The staff queue's name search ("contains", ignoring case) read every report's JSON when nothing
matched: about 200 ms at 100,000 reports on PostgreSQL (bench/queue_bench.py). A trigram GIN
index on the lower-cased caller name answers it from the index. pg_trgm ships with PostgreSQL and
is a trusted extension since PostgreSQL 13: the database's owner may create it. SQLite has no
such index; its search stays a scan of the stored JSON text (about 30 ms at 100,000 reports).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The expression is the one ivr.staff.review._name_contains searches, to the letter.
    op.execute(
        "CREATE INDEX ix_reports_caller_name_trgm ON reports "
        "USING gin (lower(fields ->> 'caller_name') gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # The extension stays: other databases' objects may use it.
    op.execute("DROP INDEX IF EXISTS ix_reports_caller_name_trgm")
