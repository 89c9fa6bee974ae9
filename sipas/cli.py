"""The ``sipas`` command: one Typer app, one place that turns errors into exit codes.

Sub-commands live in :mod:`sipas.commands` (one module per group). This module lists them with their
one-line help (:data:`COMMANDS`) and imports a command's module only when that command runs or shows
its own help, so ``sipas --help`` and ``sipas scan --help`` start at once instead of loading the reading
engine, pandas and the web app first.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass
from typing import Any

import typer
from typer._click import exceptions as click_exc  # Typer vendors click; its exceptions live here
from typer.core import TyperGroup

from omr.errors import ExitCode, SipasError


@dataclass(frozen=True)
class LazyCommand:
    """A sub-command: its name, where it lives (``module:attribute``, a function or a Typer group),
    its one-line help (checked against the command's own by a test) and the click class it needs."""

    name: str
    target: str
    help: str
    cls: str | None = None  # "module:Class" of a click command class, when not Typer's default


COMMANDS: tuple[LazyCommand, ...] = (
    LazyCommand("template", "sipas.commands.template:app",
                "Questionnaire templates: list, inspect, validate, lay out and print them."),
    LazyCommand("scan", "sipas.commands.scan:scan",
                "Read scanned questionnaires: every page ends read, in review, rejected (with why) or blank."),
    LazyCommand("eval", "sipas.commands.evaluate:eval_command",
                "Score a reading against ground truth: error rates, review share and digit accuracy."),
    LazyCommand("synth", "sipas.commands.synth:synth",
                "Write filled, scanned-looking forms plus truth.csv, marks.csv, pages.csv and forms.manifest.csv.",
                cls="sipas.commands.synth_frame:SynthCommand"),
    LazyCommand("review", "sipas.commands.review:review",
                "Serve the review queue, bulk grids, page and form views and progress in the browser."),
    LazyCommand("user", "sipas.commands.user:app",
                "Accounts of the review app (admin, operator, reviewer, analyst, fieldwork, monitor)."),
    LazyCommand("score", "sipas.commands.score:score",
                "Compute the SIPAS indices by unit from the verified forms and write results, tables and report."),
    LazyCommand("export", "sipas.commands.export:export", "Export answers for analysts."),
    LazyCommand("demo", "sipas.commands.demo:demo",
                "Run the whole pipeline on synthetic samples: print, scan, check, export, score, report."),
    LazyCommand("fieldwork", "sipas.commands.fieldwork:app",
                "Fieldwork: lists into a frame, the draw, forms for the post, returns, substitution, status, "
                "re-verification and integrity screening."),
)


def _attribute(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def load_command(entry: LazyCommand) -> Any:
    """The click command of ``entry`` (imports its module)."""
    obj = _attribute(entry.target)
    if isinstance(obj, typer.Typer):
        return _plain(typer.main.get_group(obj))
    holder = typer.Typer()
    holder.command(entry.name, cls=_attribute(entry.cls) if entry.cls else None)(obj)
    return _plain(typer.main.get_command(holder))


def _plain(command: Any) -> Any:
    """Plain click help for ``command`` and its sub-commands: rich's panels cost 0.2 s per --help."""
    command.rich_markup_mode = None
    for sub in getattr(command, "commands", {}).values():
        _plain(sub)
    return command


class LazyGroup(TyperGroup):
    """The root group: lists :data:`COMMANDS` from their one-line help and loads one only to run it."""

    _listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [c.name for c in COMMANDS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = next((c for c in COMMANDS if c.name == cmd_name), None)
        if entry is None:
            return None
        if self._listing:  # the root's help needs names and one-line help only
            return typer.main.get_command(_placeholder(entry))
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(entry)
        return self.commands[cmd_name]

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


def _placeholder(entry: LazyCommand) -> typer.Typer:
    holder = typer.Typer()
    holder.command(entry.name, help=entry.help, short_help=entry.help)(lambda: None)
    return holder


app = typer.Typer(
    name="sipas",
    cls=LazyGroup,
    rich_markup_mode=None,
    help=(
        "Print, read, review and score SIPAS paper questionnaires.\n\n"
        "Typical flow: `sipas template render` → print and post → scan → `sipas scan` → "
        "`sipas review` → `sipas score` / `sipas export`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
