"""``guildhall serve`` and ``guildhall db upgrade``."""

from __future__ import annotations

import asyncio

import typer

from guildhall.config import Settings

cli = typer.Typer(
    help="Guildhall: a self-hosted, Discord-like messenger server.", no_args_is_help=True
)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


@cli.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(5000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Processes on this port (scaled-out mode only)."),
) -> None:
    """Run the server."""
    import uvicorn

    from guildhall.httpproto import BoundedHttpToolsProtocol
    from guildhall.logs import configure_logging
    from guildhall.realtime.sio import MAX_PACKET_BYTES
    from guildhall.realtime.wire import WireProtocol

    settings = Settings()
    configure_logging(settings)
    if not settings.is_sqlite:
        _require_current_schema(settings)
    if workers > 1 and (settings.is_sqlite or not settings.redis_url):
        raise typer.BadParameter(
            "--workers > 1 needs GUILDHALL_DATABASE_URL (PostgreSQL) and GUILDHALL_REDIS_URL"
        )
    uvicorn.run(
        "guildhall.app:build",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="uvloop",
        http=BoundedHttpToolsProtocol,  # httptools, with a bounded request head
        # uvicorn's sans-I/O websockets; with GUILDHALL_SOCKET_DIRECT_WRITE, plus the
        # raw-frame write that fan-out uses (realtime/wire.py) and no per-message
        # deflate (broadcast frames are built once, uncompressed; a zlib context
        # per socket costs memory).
        ws=WireProtocol if settings.socket_direct_write else "websockets-sansio",
        ws_per_message_deflate=not settings.socket_direct_write,
        # Frames past this are refused before they are buffered; the Socket.IO
        # layer's own limit (in characters) is checked after (realtime/sio.py).
        ws_max_size=4 * MAX_PACKET_BYTES,
        proxy_headers=False,  # client IPs are resolved by our trusted-proxy rule
        server_header=False,
        log_config=None,
        timeout_graceful_shutdown=5,
    )


def _require_current_schema(settings: Settings) -> None:
    """Refuse to serve a PostgreSQL schema that is behind, with the fix in one line."""
    from guildhall import migrate
    from guildhall.db import Database

    async def check() -> tuple[str | None, str | None]:
        db = Database(settings)
        try:
            return await migrate.pending(db)
        finally:
            await db.dispose()

    current, head = asyncio.run(check())
    if current != head:
        typer.echo(
            f"error: the database schema is at {current or 'nothing'} but this version needs "
            f"{head}. Run `guildhall db upgrade` first.",
            err=True,
        )
        raise typer.Exit(code=2)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    from guildhall import migrate
    from guildhall.db import Database

    async def run() -> None:
        db = Database(Settings())
        try:
            await migrate.upgrade(db)
            current, _ = await migrate.pending(db)
        finally:
            await db.dispose()
        typer.echo(f"database at revision {current}")

    asyncio.run(run())


def main() -> None:
    cli()
