"""Alembic environment: runs on the connection the app hands over (sync inside run_sync)."""

from __future__ import annotations

from alembic import context

from bot.adapters.db.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run from the app (bot.adapters.db.db.Database.migrate), not the alembic CLI")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
