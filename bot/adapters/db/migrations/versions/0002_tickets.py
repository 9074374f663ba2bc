"""Help desk: tickets, ticket messages, staff groups, staff audit trail.

Revision ID: 0002
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("resident_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("ward_id", sa.String(40), nullable=False, index=True),
        sa.Column("neighbourhood", sa.String(40)),
        sa.Column("guide_id", sa.String(64)),
        sa.Column("step", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("assignee_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("staff_chat_id", sa.BigInteger),
        sa.Column("thread_id", sa.BigInteger),
        sa.Column("card_message_id", sa.BigInteger),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_at", UTCDateTime()),
        sa.Column("first_answer_at", UTCDateTime()),
        sa.Column("last_resident_at", UTCDateTime(), nullable=False),
        sa.Column("last_staff_at", UTCDateTime()),
        sa.Column("closed_at", UTCDateTime()),
        sa.Column("closed_by", sa.String(16)),
        sa.Column("solved", sa.Boolean),
        sa.Column("rating", sa.Integer),
        sa.Column("resident_blocked", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("reminded_unassigned_at", UTCDateTime()),
        sa.Column("reminded_unanswered_at", UTCDateTime()),
        sa.Column("escalated_at", UTCDateTime()),
    )
    op.create_index("ix_tickets_staff_chat_thread", "tickets", ["staff_chat_id", "thread_id"])
    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("author", sa.String(16), nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("kind", sa.String(16), nullable=False, server_default="text"),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("source_chat_id", sa.BigInteger),
        sa.Column("source_message_id", sa.BigInteger),
        sa.Column("staff_chat_id", sa.BigInteger, index=True),
        sa.Column("staff_message_id", sa.BigInteger),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "staff_groups",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ward_id", sa.String(40), nullable=False, index=True),
        sa.Column("is_forum", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("bound_by", sa.Integer),
        sa.Column("bound_at", UTCDateTime(), nullable=False),
        sa.Column("unassigned_minutes", sa.Integer),
        sa.Column("unanswered_hours", sa.Integer),
        sa.Column("hours_spec", sa.String(200)),
        sa.Column("last_digest_on", sa.Date),
    )
    op.create_table(
        "ticket_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer, index=True),
        sa.Column("ward_id", sa.String(40)),
        sa.Column("actor_id", sa.Integer),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("at", UTCDateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("ticket_audit")
    op.drop_table("staff_groups")
    op.drop_table("ticket_messages")
    op.drop_index("ix_tickets_staff_chat_thread", "tickets")
    op.drop_table("tickets")
