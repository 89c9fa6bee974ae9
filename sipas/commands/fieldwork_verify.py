"""``sipas fieldwork verify draw|sheet|import``: re-verification (phúc tra) of returned forms by monitors."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from omr.errors import BadArgumentsError
from sipas.commands.ledger_options import DB, SURVEY, WORKSPACE

if TYPE_CHECKING:
    from fieldwork.survey import Survey
    from omr.store.db import Store

app = typer.Typer(help="Re-verification by monitors: draw a share of returned forms per unit, call sheets, outcomes.",
                  no_args_is_help=True)


FOLDER = typer.Option(None, "--fieldwork", help="Folder of the fieldwork files (default WORKSPACE/fieldwork).")
ACTOR = typer.Option("cli", "--actor", help="Who does this (recorded in the audit trail).")


def _open(workspace: Path, db: str | None) -> Store:
    from fieldwork.ledger import open_ledger
    from sipas.commands.review import open_existing

    return open_ledger(open_existing(workspace, db))


def _survey(path: Path) -> Survey:
    from fieldwork.survey import load_survey

    return load_survey(path)


@app.command()
def draw(
    survey: Path = SURVEY,
    share: str = typer.Option("5%", "--share", help="Share of each unit's returned forms: 5% or 0.05."),
    seed: int | None = typer.Option(None, "--seed", min=0, max=2**31 - 1, help="The published seed of this draw."),
    min_per_unit: int = typer.Option(1, "--min-per-unit", min=0, help="At least this many forms per unit."),
    verify: Path | None = typer.Option(None, "--verify", help="A verify-draw record to re-run and compare "
                                       "(exit 8 when it differs)."),
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    folder: Path | None = FOLDER,
    actor: str = ACTOR,
) -> None:
    """Draw forms to re-verify: a random share of each unit's returned forms (collected or later).

    Writes FIELDWORK/verify/verify-draw-SEED.json (seed, algorithm, eligible form ids and their hashes
    per unit, the chosen list's hash; no identity) and adds the chosen forms to the verification list
    (pending). The same seed again adds nothing; another seed draws from the forms not drawn yet.
    """
    import datetime as dt

    from fieldwork import verify as v
    from fieldwork.private import write_private

    store = _open(workspace, db)
    if verify is not None:
        recorded = v.read_record(verify)
        with store.session() as s:
            v.require_same(v.verify_record(recorded, s), verify)
        typer.echo(f"verified: seed {recorded['seed']}, {recorded['totals']['chosen']} forms chosen of "
                   f"{recorded['totals']['eligible']}, {recorded['chosen_hash']}")
        return
    if seed is None:
        raise BadArgumentsError("no seed: publish one and give it with --seed")
    name = _survey(survey).name
    wanted = v.parse_share(share)
    path = v.record_path(folder or workspace / "fieldwork", seed)
    with store.session() as s:
        if path.is_file():
            rec = v.read_record(path)
            if (rec.get("survey"), rec.get("share"), rec.get("min_per_unit")) != (name, str(wanted), min_per_unit):
                raise BadArgumentsError(f"{path}: seed {seed} was drawn for {rec.get('survey')} with share "
                                        f"{rec.get('share')} and minimum {rec.get('min_per_unit')}; give the same, "
                                        "or another seed to add a new draw")
            d = v.from_record(rec)
        else:
            d = v.draw(v.eligible_forms(s, name, seed), seed, wanted, min_per_unit)
            rec = v.record(name, d, dt.datetime.now(dt.UTC))
            write_private(path, v.record_bytes(rec))
            path.chmod(0o644)  # form ids only: anyone may verify it
        added = v.save_draw(s, name, d, actor=actor)
    typer.echo(f"{v.ALGORITHM} v{v.VERSION}, seed {seed}, share {d.share}, at least {d.min_per_unit} per unit")
    typer.echo(f"{'unit':<12} {'returned':>8} {'chosen':>6}")
    for u in d.units:
        typer.echo(f"{u.unit:<12} {len(u.eligible):>8} {len(u.chosen):>6}")
    typer.echo(f"{'total':<12} {rec['totals']['eligible']:>8} {rec['totals']['chosen']:>6}   {added} new in the list")
    typer.echo(f"chosen {rec['chosen_hash']}\nwrote {path}")


@app.command()
def sheet(
    survey: Path = SURVEY,
    out: Path | None = typer.Option(None, "--out", help="Folder of the sheets (default FIELDWORK/verify/sheets)."),
    unit: str | None = typer.Option(None, "--unit", help="Only this unit code."),
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    folder: Path | None = FOLDER,
    actor: str = ACTOR,
) -> None:
    """Call sheets for monitors: one xlsx and one PDF per unit.

    Each line: form id, name, phone, address, the four check questions (tick yes or no), 'not reached'
    and a note. Identities: files 0600 in a 0700 folder; every sheet written is an audit event.
    """
    from sqlalchemy import select

    from fieldwork.ledger_schema import VerificationRow
    from fieldwork.private import write_private
    from fieldwork.verify_io import Call, identity_files, read_identities, sheet_pdf, sheet_xlsx, title
    from omr.store.schema import AuditEvent, utcnow

    s_ = _survey(survey)
    fw = folder or workspace / "fieldwork"
    dest = out or fw / "verify" / "sheets"
    store = _open(workspace, db)
    with store.session() as s:
        rows = [(r.unit, r.form_id) for r in s.scalars(select(VerificationRow).where(
            VerificationRow.survey == s_.name).order_by(VerificationRow.unit, VerificationRow.form_id))
            if unit is None or r.unit == unit]
    if not rows:
        raise BadArgumentsError(f"no form of {s_.name}{' unit ' + unit if unit else ''} is drawn for "
                                "re-verification; run `sipas fieldwork verify draw` first")
    files = identity_files(fw)
    ids = read_identities(files, {f for _, f in rows})
    names = {u.code: u.name for u in s_.units}
    dest.mkdir(parents=True, exist_ok=True)
    dest.chmod(0o700)
    by_unit: dict[str, list[Call]] = {}
    for u, f in rows:
        by_unit.setdefault(u, []).append(Call(f, ids.get(f)))
    with store.session() as s:
        for u, calls in by_unit.items():
            heading = title(f"{s_.name} ({s_.year})", f"{names.get(u, u)} ({u})")
            write_private(dest / f"verify-{u}.xlsx", sheet_xlsx(s_.name, u, heading, calls))
            write_private(dest / f"verify-{u}.pdf", sheet_pdf(heading, calls))
            s.add(AuditEvent(at=utcnow(), actor=actor, action="download-identities", field=f"verify-sheet {u}"[:64],
                             new=f"{s_.name}: {len(calls)} forms → {dest}"))
    missing = sorted(f for _, f in rows if f not in ids)
    typer.echo(f"{len(rows)} calls in {len(by_unit)} units → {dest} (verify-UNIT.xlsx and .pdf; identities, 0600)")
    if missing:
        typer.echo(f"warning: {len(missing)} forms have no identity in {', '.join(map(str, files)) or 'no file'}: "
                   f"{', '.join(missing[:10])}{' …' if len(missing) > 10 else ''}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="A filled call sheet (.xlsx) written by `sipas fieldwork verify sheet`."),
    survey: Path = SURVEY,
    workspace: Path = WORKSPACE,
    db: str | None = DB,
    actor: str = ACTOR,
) -> None:
    """Import a filled call sheet: every line applied or rejected with its reason, in one transaction.

    Importing the same file again changes nothing (it is known by its SHA-256). An outcome entered
    before with different answers is not overwritten: the line is rejected (correct it in the web app).
    """
    from sqlalchemy import select

    from fieldwork.ledger_schema import FieldworkImport
    from fieldwork.verify import find, record_outcome
    from fieldwork.verify_io import read_sheet
    from omr.errors import InputFileError, SipasError

    name = _survey(survey).name
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{file}: cannot read: {exc.strerror}") from exc
    sha = hashlib.sha256(data).hexdigest()
    sheet_survey, lines = read_sheet(file)
    if sheet_survey != name:
        raise BadArgumentsError(f"{file}: a call sheet of survey {sheet_survey!r}, not {name!r}")
    store = _open(workspace, db)
    counts = {"applied": 0, "unchanged": 0, "rejected": 0}
    rejected: list[str] = []
    with store.session() as s:
        done = s.scalars(select(FieldworkImport).where(FieldworkImport.survey == name, FieldworkImport.kind == "verify",
                                                      FieldworkImport.sha256 == sha)).first()
        if done is not None:
            typer.echo(f"{file}: already imported ({done.at:%Y-%m-%d %H:%M} by {done.actor}: {done.applied} applied, "
                       f"{done.rejected} rejected); nothing done")
            return
        for line in lines:
            try:
                if line.outcome is None:
                    raise BadArgumentsError(line.problem or "unreadable")
                got = record_outcome(s, find(s, line.form_id, name), line.outcome, actor=actor, overwrite=False)
            except SipasError as exc:
                counts["rejected"] += 1
                rejected.append(f"  row {line.row} {line.form_id}: {exc.message}")
                continue
            counts[got] += 1
        s.add(FieldworkImport(survey=name, kind="verify", sha256=sha, path=str(file), rows=len(lines),
                              applied=counts["applied"], unchanged=counts["unchanged"], rejected=counts["rejected"],
                              actor=actor))
    typer.echo(f"{file}: {len(lines)} lines: {counts['applied']} applied, {counts['unchanged']} unchanged, "
               f"{counts['rejected']} rejected")
    for r in rejected:
        typer.echo(r)
