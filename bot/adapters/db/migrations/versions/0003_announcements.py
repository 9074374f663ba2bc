"""Ward notices: neighbourhood groups, approval rule, notices, occurrences, outbox.

Revision ID: 0003
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "neighbourhood_groups",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("ward_id", sa.String(40), nullable=False, index=True),
        sa.Column("neighbourhood", sa.String(40)),
        sa.Column("title", sa.String(128), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("inactive_reason", sa.String(200)),
        sa.Column("bound_by", sa.Integer),
        sa.Column("bound_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("chat_id", name="uq_neighbourhood_groups_chat_id"),
    )
    op.create_table(
        "ward_notice_settings",
        sa.Column("ward_id", sa.String(40), primary_key=True),
        sa.Column("require_approval", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ward_id", sa.String(40), nullable=False, index=True),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_chat_id", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("media_kind", sa.String(16)),
        sa.Column("media_file_id", sa.String(256)),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("neighbourhoods", sa.String(400), nullable=False, server_default=""),
        sa.Column("repeat", sa.String(8), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("until", sa.Date),
        sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("approved_by", sa.Integer),
        sa.Column("next_fire_at", UTCDateTime(), index=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "announcement_occurrences",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("announcement_id", sa.Integer, sa.ForeignKey("announcements.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("fire_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("reported_at", UTCDateTime()),
        sa.UniqueConstraint("announcement_id", "fire_at", name="uq_announcement_occurrences_announcement_id"),
    )
    op.create_table(
        "announcement_outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("occurrence_id", sa.Integer, sa.ForeignKey("announcement_occurrences.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("recipient_kind", sa.String(8), nullable=False),
        sa.Column("recipient_id", sa.Integer, nullable=False),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("lang", sa.String(8), nullable=False, server_default="vi"),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_before", UTCDateTime(), nullable=False),
        sa.Column("claimed_at", UTCDateTime()),
        sa.Column("sent_at", UTCDateTime()),
        sa.Column("message_id", sa.BigInteger),
        sa.Column("error", sa.String(200)),
        sa.Column("acked_at", UTCDateTime()),
        sa.UniqueConstraint("occurrence_id", "recipient_kind", "recipient_id",
                            name="uq_announcement_outbox_occurrence_id"),
    )
    op.create_index("ix_announcement_outbox_status_not_before", "announcement_outbox", ["status", "not_before"])


def downgrade() -> None:
    op.drop_index("ix_announcement_outbox_status_not_before", table_name="announcement_outbox")
    op.drop_table("announcement_outbox")
    op.drop_table("announcement_occurrences")
    op.drop_table("announcements")
    op.drop_table("ward_notice_settings")
    op.drop_table("neighbourhood_groups")
