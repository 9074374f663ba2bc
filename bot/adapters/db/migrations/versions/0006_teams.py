"""Community digital teams: team groups per ward, home-visit requests, visit logs, targets per tổ (issue 13).

Revision ID: 0006_teams
"""
import sqlalchemy as sa
from alembic import op

from bot.adapters.db.base import UTCDateTime

revision = "0006_teams"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_groups",
        sa.Column("chat_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ward_id", sa.String(40), nullable=False, index=True),
        sa.Column("tos", sa.String(400), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("bound_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "visit_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("resident_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("ward_id", sa.String(40), nullable=False, index=True),
        sa.Column("to", sa.String(40), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("day_part", sa.String(16), nullable=False),
        sa.Column("day_kind", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("team_chat_id", sa.BigInteger),
        sa.Column("card_message_id", sa.BigInteger),
        sa.Column("taker_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("visit_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("taken_at", UTCDateTime()),
        sa.Column("done_at", UTCDateTime()),
        sa.Column("reminded_at", UTCDateTime()),
        sa.Column("rating", sa.Integer),
    )
    op.create_table(
        "visit_logs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id", sa.Integer, sa.ForeignKey("visit_requests.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("ward_id", sa.String(40), nullable=False, index=True),
        sa.Column("to", sa.String(40), nullable=False),
        sa.Column("household_id", sa.Integer, nullable=False, index=True),
        sa.Column("member_id", sa.Integer),
        sa.Column("apps", sa.String(200), nullable=False, server_default=""),
        sa.Column("skills", sa.String(200), nullable=False, server_default=""),
        sa.Column("smartphone", sa.Boolean, nullable=False),
        sa.Column("epay", sa.Boolean, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "to_targets",
        sa.Column("ward_id", sa.String(40), primary_key=True),
        sa.Column("to", sa.String(40), primary_key=True),
        sa.Column("households", sa.Integer, nullable=False),
        sa.Column("adults", sa.Integer, nullable=False),
    )
    op.create_table(
        "ward_targets",
        sa.Column("ward_id", sa.String(40), primary_key=True),
        sa.Column("smartphone_pct", sa.Integer, nullable=False),
        sa.Column("epay_pct", sa.Integer, nullable=False),
    )
    op.create_table(
        "visit_digests",
        sa.Column("ward_id", sa.String(40), primary_key=True),
        sa.Column("week", sa.String(10), nullable=False),
    )


def downgrade() -> None:
    for table in ("visit_digests", "ward_targets", "to_targets", "visit_logs", "visit_requests", "team_groups"):
        op.drop_table(table)
