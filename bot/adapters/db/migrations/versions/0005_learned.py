"""Learned phrasings: residents' words for a guide, suggested by staff, accepted by a reviewer (issue 10).

Revision ID: 0005_learned
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0005_learned"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_phrasings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("guide_id", sa.String(64), nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime()),
        sa.UniqueConstraint("guide_id", "text", name="uq_learned_guide_text"),
    )


def downgrade() -> None:
    op.drop_table("learned_phrasings")
