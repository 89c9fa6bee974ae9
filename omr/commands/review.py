"""``sipas review``: serve the review web app over a workspace."""

from __future__ import annotations

from pathlib import Path

import typer

from omr.store.db import open_store

WORKSPACE = typer.Option(Path("sipas-workspace"), "--workspace", "-w",
                         help="Workspace folder (images; and the SQLite database unless --db is given).")
DB = typer.Option(None, "--db",
                  help="Database URL (postgresql+psycopg://user@host/db) instead of the workspace's SQLite.")


def review(
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    host: str = typer.Option("127.0.0.1", help="Address to listen on (use 0.0.0.0 for other stations, behind HTTPS)."),
    port: int = typer.Option(8000, help="Port to listen on."),
    template: list[Path] = typer.Option([], "--template", "-t",
                                        help="Extra template YAML file used by this workspace (repeatable)."),
    lease_minutes: float = typer.Option(5.0, help="How long an item stays with a reviewer who walked away."),
    https_only: bool = typer.Option(False, "--https-only", help="Send the session cookie over HTTPS only."),
) -> None:
    """Serve the review queue, bulk grids, page and form views and progress in the browser.

    Add users first with `sipas user add NAME --role reviewer`. The session secret is read from
    $SIPAS_REVIEW_SECRET or generated once into WORKSPACE/.review-secret (mode 0600).
    """
    import uvicorn

    from review_ui.app import create_app

    store = open_store(workspace, db)
    app = create_app(store, templates=template, lease_seconds=max(30, int(lease_minutes * 60)),
                     https_only=https_only)
    typer.echo(f"review app for {store.safe_url} on http://{host}:{port}/ (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
