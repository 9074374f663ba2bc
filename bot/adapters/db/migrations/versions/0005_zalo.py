"""Zalo channel: chat keys (the string chat id of a channel whose ids are not numbers, by user external
id), and the channel of each outbox row (a Zalo subscriber's notice waits for the Zalo sender).

Revision ID: 0005_zalo
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_zalo"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_keys",
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("external_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("chat_key", sa.String(128), nullable=False),
        sa.UniqueConstraint("channel", "chat_key", name="uq_chat_keys_key"),
    )
    with op.batch_alter_table("announcement_outbox") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=False, server_default="telegram"))


def downgrade() -> None:
    with op.batch_alter_table("announcement_outbox") as batch:
        batch.drop_column("channel")
    op.drop_table("chat_keys")
