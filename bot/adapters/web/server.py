"""Serving the console with uvicorn, inside an already running event loop (`bot web`, the local chat)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

log = logging.getLogger(__name__)


class _Embedded(uvicorn.Server):
    """Leaves the signals alone: whoever embeds the console (the local chat, a test) owns Ctrl-C."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def make_server(api: FastAPI, host: str, port: int, *, embedded: bool = False) -> uvicorn.Server:
    """uvicorn's own access log is off: it would write the query string, which holds a sign-in token.
    The console logs the method, path and status itself (app.py). Behind a reverse proxy,
    X-Forwarded-Proto/For from 127.0.0.1 are trusted (uvicorn's default)."""
    config = uvicorn.Config(api, host=host, port=port, access_log=False, proxy_headers=True, log_level="warning")
    return (_Embedded if embedded else uvicorn.Server)(config)


async def serve(api: FastAPI, host: str, port: int) -> None:
    await make_server(api, host, port).serve()


async def start_in_background(api: FastAPI, host: str, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    """Starts serving and returns once it listens (the local chat keeps its prompt)."""
    server = make_server(api, host, port, embedded=True)
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():  # noqa: ASYNC110 (uvicorn offers no "started" event)
        await asyncio.sleep(0.05)
    if task.done():
        task.result()
    return server, task


async def stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    with contextlib.suppress(Exception):
        await task
