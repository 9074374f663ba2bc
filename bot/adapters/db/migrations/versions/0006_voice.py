"""The resident's form of address (Bác, Anh, Chị, Cô, Chú, Em): bot.core.voice.Voice; Bác by default.

Revision ID: 0006_voice
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_voice"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("voice", sa.String(8), nullable=False, server_default="bac"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("voice")
