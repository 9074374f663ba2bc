"""Usage events carry their funnel label, with an index in the drop-off chart's order (issue 12: the
overview of every ward over 90 days in p95 < 150 ms).

Revision ID: 0007_funnel
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_funnel"
down_revision = "0005_webparts"
branch_labels = None
depends_on = None

# as bot.app.usage.FUNNEL, frozen here: a migration must not change when the code does
REACHED = ("started", "matched", "step")
OWN = ("stuck", "asked", "finished")


def upgrade() -> None:
    op.add_column("usage_events", sa.Column("funnel", sa.String(8), nullable=True))
    ev = sa.table(
        "usage_events",
        sa.column("kind", sa.String),
        sa.column("funnel", sa.String),
        sa.column("guide_id", sa.String),
        sa.column("step", sa.Integer),
    )
    label = sa.case((ev.c.kind.in_(REACHED), "reached"), (ev.c.kind.in_(OWN), ev.c.kind), else_=None)
    op.execute(ev.update().where(ev.c.guide_id.is_not(None), ev.c.step.is_not(None)).values(funnel=label))
    op.create_index(
        "ix_usage_events_funnel", "usage_events", ["funnel", "guide_id", "step", "user_key", "day", "ward_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_usage_events_funnel", table_name="usage_events")
    with op.batch_alter_table("usage_events") as batch:
        batch.drop_column("funnel")
