"""Consultations (lấy ý kiến cư dân) and their votes, one per resident.

Revision ID: 0006_consult
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0006_consult"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ward_id", sa.String(40), nullable=False, index=True),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_chat_id", sa.BigInteger, nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("options", sa.Text, nullable=False),
        sa.Column("audience", sa.String(8), nullable=False),
        sa.Column("neighbourhoods", sa.String(400), nullable=False, server_default=""),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("allow_change", sa.Boolean, nullable=False),
        sa.Column("show_results", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(8), nullable=False, server_default="open", index=True),
        sa.Column("notice_id", sa.Integer),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime()),
    )
    op.create_table(
        "consultation_votes",
        sa.Column(
            "consultation_id", sa.Integer, sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("option", sa.Integer, nullable=False),
        sa.Column("neighbourhood", sa.String(40), nullable=False, server_default=""),
        sa.Column("voted_at", UTCDateTime(), nullable=False),
        sa.Column("changes", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("consultation_votes")
    op.drop_table("consultations")
