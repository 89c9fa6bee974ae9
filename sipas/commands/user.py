"""``sipas user add|passwd|disable|enable|list``: accounts of the review app."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from omr.errors import BadArgumentsError
from review_ui.roles import ROLES
from sipas.commands.review import open_existing

app = typer.Typer(help=f"Accounts of the review app ({', '.join(ROLES)}).", no_args_is_help=True)

WORKSPACE = typer.Option(Path("sipas-workspace"), "--workspace", "-w", help="Workspace folder.")
DB = typer.Option(None, "--db", help="Database URL instead of the workspace's SQLite.")
NAME = typer.Argument(..., help="User name (letters, digits, . _ @ -).")
STDIN = typer.Option(False, "--password-stdin", help="Read the password from the first line of standard input.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise BadArgumentsError("--password-stdin: standard input was empty")
        return line
    pw: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return pw


@app.command()
def add(
    name: str = NAME,
    role: str = typer.Option(..., "--role", "-r", help=f"One of: {', '.join(ROLES)}."),
    password_stdin: bool = STDIN,
    workspace: Path = WORKSPACE,
    db: str | None = DB,
) -> None:
    """Create a user (asks for the password twice unless --password-stdin)."""
    from review_ui.users import add_user

    store = open_existing(workspace, db)
    info = add_user(store, name, role, _password(password_stdin))
    typer.echo(f"added {info.name} ({info.role})")


@app.command()
def passwd(name: str = NAME, password_stdin: bool = STDIN, workspace: Path = WORKSPACE, db: str | None = DB) -> None:
    """Set a new password for a user."""
    from review_ui.users import set_password

    store = open_existing(workspace, db)
    set_password(store, name, _password(password_stdin))
    typer.echo(f"password of {name} changed")


@app.command()
def disable(name: str = NAME, workspace: Path = WORKSPACE, db: str | None = DB) -> None:
    """Stop a user from logging in (their audit trail stays)."""
    from review_ui.users import set_disabled

    set_disabled(open_existing(workspace, db), name, True)
    typer.echo(f"{name} disabled")


@app.command()
def enable(name: str = NAME, workspace: Path = WORKSPACE, db: str | None = DB) -> None:
    """Let a disabled user log in again."""
    from review_ui.users import set_disabled

    set_disabled(open_existing(workspace, db), name, False)
    typer.echo(f"{name} enabled")


@app.command("list")
def list_(workspace: Path = WORKSPACE, db: str | None = DB) -> None:
    """List users with their roles."""
    from review_ui.users import list_users

    for u in list_users(open_existing(workspace, db)):
        typer.echo(f"{u.name}\t{u.role}\t{'disabled' if u.disabled else 'active'}")
