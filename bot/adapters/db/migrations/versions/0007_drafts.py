"""Guide drafts started in the web console from a group of unanswered questions: the residents'
questions (as stored, long numbers already removed), a title, who started it and when, and whether
it is still a draft, was exported as a YAML skeleton or was discarded (issue 12).

Revision ID: 0007_drafts
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0007_drafts"
down_revision = "0006_webpages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guide_drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ward_id", sa.String(40), index=True),
        sa.Column("title", sa.String(80), nullable=False),
        sa.Column("questions", sa.Text, nullable=False),
        sa.Column("created_by", sa.Integer),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
    )


def downgrade() -> None:
    op.drop_table("guide_drafts")
