"""Usage events (guide started, step reached, stuck, asked staff, finished, question matched / unanswered).

Revision ID: 0005_webparts
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0005_webparts"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "usage_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user_key", sa.BigInteger, nullable=False),
        sa.Column("ward_id", sa.String(40)),
        sa.Column("neighbourhood", sa.String(40)),
        sa.Column("guide_id", sa.String(64)),
        sa.Column("step", sa.Integer),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
    )
    op.create_index("ix_usage_events_day", "usage_events", ["day", "kind", "ward_id", "guide_id", "step", "user_key"])


def downgrade() -> None:
    op.drop_index("ix_usage_events_day", table_name="usage_events")
    op.drop_table("usage_events")
