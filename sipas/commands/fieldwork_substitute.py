"""``sipas fieldwork substitute``: replace respondents the post did not reach from the reserve list."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from sipas.commands.ledger_options import DB, SURVEY, WORKSPACE


def substitute(
    survey: Path = SURVEY,
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    out: Path | None = typer.Option(None, "--out", help="Folder of the fieldwork files (reserve.csv; default "
                                                        "WORKSPACE/fieldwork); the batch goes to OUT/substitutions/N."),
    actor: str | None = typer.Option(None, "--actor", help="Who makes the substitution (default: the login name)."),
    form_seed: int | None = typer.Option(None, "--form-seed", min=0,
                                         help="Make the substitutes' form ids reproducible (tests, demos)."),
) -> None:
    """Give every form the post did not reach (unreachable, refused, moved) and not yet replaced the next
    reserve person of its stratum, in the reserve list's order, within the survey's `substitution` limit.

    Prints the substitutes' forms and delivery lists (like dispatch) into OUT/substitutions/N/forms and
    OUT/substitutions/N/identities (0700 folder, 0600 files); records the substitution on both forms with the
    reason and the actor. Strata whose reserve is exhausted or whose limit is reached are listed. Running it
    again with nothing new to do changes nothing.
    """
    from fieldwork.ledger import open_ledger
    from fieldwork.substitute import substitute as run
    from fieldwork.survey import load_survey
    from omr.formid import display_form_id
    from sipas.commands.review import open_existing

    s = load_survey(survey)
    store = open_ledger(open_existing(workspace, db))
    result = run(store, s, out or workspace / "fieldwork", actor=actor or getpass.getuser(), form_seed=form_seed)
    for d in result.substitutions:
        typer.echo(f"{d.stratum:<22} {display_form_id(d.replaced)} ({d.outcome}) → reserve {d.reserve_rank}: "
                   f"form {display_form_id(d.form_id)}")
    for f in result.shortfalls:
        typer.echo(f"{f.stratum:<22} {display_form_id(f.form_id)} ({f.outcome}) NOT REPLACED: {f.why} "
                   f"({f.used} of {f.limit} substitutes used)")
    if result.printed is not None and result.folder is not None:
        typer.echo(f"{len(result.substitutions)} substitutes → {result.printed.forms_pdf} "
                   f"(+ {result.printed.manifest.name}); delivery lists in {result.printed.delivery_xlsx.parent} "
                   "(identities, 0600)")
    else:
        typer.echo("nothing to substitute" + (f" ({len(result.shortfalls)} form(s) cannot be replaced)"
                                               if result.shortfalls else ""))
