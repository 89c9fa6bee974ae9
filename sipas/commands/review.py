"""``sipas review``: serve the review web app over a workspace."""

from __future__ import annotations

import errno
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from omr.errors import NotFoundError, PortInUseError

if TYPE_CHECKING:
    from omr.store.db import Store

WORKSPACE = typer.Option(Path("sipas-workspace"), "--workspace", "-w",
                         help="Workspace folder (images; and the SQLite database unless --db is given).")
DB = typer.Option(None, "--db",
                  help="Database URL (postgresql+psycopg://user@host/db) instead of the workspace's SQLite.")


def open_existing(workspace: Path, db: str | None) -> Store:
    """The store of an existing workspace; :class:`NotFoundError` naming the path when there is none.

    A misspelt ``--workspace`` must not quietly become a new, empty workspace.
    """
    from omr.store.db import DB_FILENAME, open_store

    if not workspace.is_dir() or (db is None and not (workspace / DB_FILENAME).is_file()):
        what = "folder" if not workspace.is_dir() else f"database ({DB_FILENAME})"
        raise NotFoundError(
            f"{workspace.resolve()}: no workspace here (no {what}); check --workspace, or create one by "
            f"scanning into it: `sipas scan SCANS --workspace {workspace}`"
        )
    return open_store(workspace, db)


def check_port(host: str, port: int) -> None:
    """Refuse a taken address and port before the server starts (:class:`PortInUseError`)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise PortInUseError(
                    f"{host}:{port} is taken by another program (another `sipas review`?); "
                    f"pick a free one with --port {port + 1}") from exc
            raise PortInUseError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); check --host") from exc


def review(
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    host: str = typer.Option("127.0.0.1", help="Address to listen on (use 0.0.0.0 for other stations, behind HTTPS)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    template: list[Path] = typer.Option([], "--template", "-t",
                                        help="Extra template YAML file used by this workspace (repeatable)."),
    lease_minutes: float = typer.Option(5.0, help="How long an item stays with a reviewer who walked away."),
    https_only: bool = typer.Option(False, "--https-only", help="Send the session cookie over HTTPS only."),
    idle_minutes: float = typer.Option(60.0, help="A session unused this long ends (log in again)."),
    double_share: float = typer.Option(0.0, min=0.0, max=1.0,
                                       help="Share of reviewed answers reviewed again, blind, by another reviewer."),
    double_text: bool = typer.Option(False, "--double-text", help="Review every transcription twice (blind)."),
) -> None:
    """Serve the review queue, bulk grids, page and form views and progress in the browser.

    Add users first with `sipas user add NAME --role reviewer`. The session secret is read from
    $SIPAS_REVIEW_SECRET or generated once into WORKSPACE/.review-secret (mode 0600).
    """
    import uvicorn

    from omr.store.templates import workspace_templates
    from review_ui.app import create_app
    from review_ui.doubles import DoubleEntry

    store = open_existing(workspace, db)
    check_port(host, port)
    kept = workspace_templates(store.workspace)  # the template files the workspace was scanned with
    app = create_app(store, templates=[*kept, *template], lease_seconds=max(30, int(lease_minutes * 60)),
                     https_only=https_only, idle_minutes=idle_minutes,
                     double_entry=DoubleEntry(share=double_share, text_all=double_text))
    typer.echo(f"review app for {store.safe_url} on http://{host}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
