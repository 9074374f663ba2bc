"""Users, roles and guide progress.

Revision ID: 0001
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("external_id", sa.BigInteger, nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False, server_default=""),
        sa.Column("lang", sa.String(8)),
        sa.Column("ward_id", sa.String(40)),
        sa.Column("neighbourhood", sa.String(40)),
        sa.Column("onboarded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("subscribed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("blocked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("channel", "external_id", name="uq_users_channel"),
    )
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("ward_id", sa.String(40), nullable=False),
        sa.Column("granted_by", sa.Integer),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("user_id", "role", "ward_id", name="uq_roles_user_id"),
    )
    op.create_table(
        "guide_progress",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("guide_id", sa.String(64), primary_key=True),
        sa.Column("step", sa.Integer, nullable=False, server_default="0"),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False, index=True),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("worked", sa.Boolean),
    )


def downgrade() -> None:
    op.drop_table("guide_progress")
    op.drop_table("roles")
    op.drop_table("users")
