"""The ``sipas`` command: one Typer app, one place that turns errors into exit codes.

Sub-commands live in :mod:`omr.commands` (one module per group); this module only assembles
them and runs them.
"""

from __future__ import annotations

import logging
import sys

import typer
from typer._click import exceptions as click_exc  # Typer vendors click; its exceptions live here

from omr.commands import fieldwork as fieldwork_cmd
from omr.commands import template as template_cmd
from omr.errors import ExitCode, SipasError

app = typer.Typer(
    name="sipas",
    help=(
        "Print, read, review and score SIPAS paper questionnaires.\n\n"
        "Typical flow: `sipas template render` → print and post → scan → `sipas scan` → "
        "`sipas review` → `sipas score` / `sipas export`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(template_cmd.app, name="template")


def _register_optional() -> None:
    """Attach the command groups of the other packages (each is importable on its own)."""
    from omr.commands import register_all

    register_all(app)
    fieldwork_cmd.register(app)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log every step (with page ids)."),
) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; the only place that maps exceptions to exit codes."""
    _register_optional()
    try:
        # Outside standalone mode Typer returns the code of `raise typer.Exit(n)` (and 130 for Ctrl-C).
        rv = app(args=argv, standalone_mode=False)
    except SipasError as exc:
        typer.echo(f"error: {exc}", err=True)
        return int(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        return int(ExitCode.ctrl_c)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return int(ExitCode.ctrl_c)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except click_exc.ClickException as exc:
        exc.show()
        return int(ExitCode.bad_args)
    return int(rv) if isinstance(rv, int) else int(ExitCode.ok)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
