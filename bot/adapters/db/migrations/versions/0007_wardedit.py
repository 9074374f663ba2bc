"""Ward office values edited in the web console, over content/wards.yaml (issue 12).

Revision ID: 0007_wardedit
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0007_wardedit"
down_revision = "0006_adminops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ward_overrides",
        sa.Column("ward_id", sa.String(40), primary_key=True),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("hours_vi", sa.String(200), nullable=True),
        sa.Column("hours_en", sa.String(200), nullable=True),
        sa.Column("phones", sa.Text, nullable=True),
        sa.Column("neighbourhoods", sa.Text, nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("ward_overrides")
