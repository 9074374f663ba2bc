"""Unanswered questions log (declined or unsure matches), for editors.

Revision ID: 0004
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ward_id", sa.String(40), index=True),
        sa.Column("user_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("topic", sa.String(64)),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("unanswered")
