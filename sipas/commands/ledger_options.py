"""Options shared by the commands that read or write a survey's fieldwork ledger."""

from __future__ import annotations

from pathlib import Path

import typer

SURVEY = typer.Option(..., "--survey", help="The survey file (its `name` keys the ledger).")
WORKSPACE = typer.Option(Path("sipas-workspace"), "--workspace", "-w",
                         help="Workspace folder (the ledger is in its database unless --db is given).")
DB = typer.Option(None, "--db", help="Database URL (postgresql+psycopg://user@host/db) instead of the workspace's "
                                     "SQLite file.")
