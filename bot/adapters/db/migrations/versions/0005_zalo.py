"""Chat keys: the string chat id of a channel whose ids are not numbers (Zalo), by user external id.

Revision ID: 0005_zalo
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_zalo"
down_revision = "0001"
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


def downgrade() -> None:
    op.drop_table("chat_keys")
