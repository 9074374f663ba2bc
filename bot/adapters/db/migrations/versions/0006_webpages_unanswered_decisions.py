"""Decisions on unanswered questions taken in the web console: a phrasing assigned to a guide or
marked out of scope, per ward (NULL: every ward, an admin's decision), so it leaves the list (issue 12).

Revision ID: 0006_webpages
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0006_webpages"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ward_id", sa.String(40), index=True),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("guide_id", sa.String(64)),
        sa.Column("actor_id", sa.Integer),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("unanswered_decisions")
