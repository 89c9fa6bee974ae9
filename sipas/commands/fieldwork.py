"""``sipas fieldwork``: survey lists → frame → verifiable draw → forms and delivery lists."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from omr.errors import BadArgumentsError
from sipas.commands.fieldwork_returns import returns_app, sync_cmd
from sipas.commands.fieldwork_screen import screen
from sipas.commands.fieldwork_status import status
from sipas.commands.fieldwork_substitute import substitute
from sipas.commands.fieldwork_verify import app as verify_app

app = typer.Typer(help="Fieldwork: lists into a frame, the draw, forms for the post, returns, substitution, status, "
                       "re-verification and integrity screening.", no_args_is_help=True)

SURVEY = typer.Option(..., "--survey", help="The survey file (see examples/ and `sipas fieldwork schema`).")
OUT = typer.Option(Path("sipas-workspace/fieldwork"), "--out",
                   help="Folder of the fieldwork files (the review app reads <workspace>/fieldwork).")


@app.command()
def frame(
    files: list[Path] = typer.Argument(..., help="One-stop-shop exports or household lists (.xlsx or .csv)."),
    survey: Path = SURVEY,
    out: Path = OUT,
    unit: str | None = typer.Option(None, "--unit", help="Unit code or name for rows without a unit column."),
) -> None:
    """Import lists into a frame: every row accepted or rejected with its reason.

    Writes OUT/frame.csv (accepted people, canonical order, mode 0600), OUT/rejects.xlsx (one sheet per
    unit: what it wrote, the reason, what to do; mode 0600) and OUT/frame.json (counts only).
    """
    from fieldwork.frame_check import FrameChecker
    from fieldwork.frame_io import write_frame, write_rejects, write_summary
    from fieldwork.frame_read import read_table
    from fieldwork.survey import load_survey

    s = load_survey(survey)
    started = time.perf_counter()
    rows = [row for f in files for row in read_table(f, s.columns)]
    result = FrameChecker(s, unit_hint=unit).check(rows)
    out.mkdir(parents=True, exist_ok=True)
    write_frame(result.records, out / "frame.csv")
    write_rejects(result.rejections, out / "rejects.xlsx")
    summary = write_summary(result, len(rows), out / "frame.json")
    typer.echo(f"{len(rows)} rows: {len(result.records)} accepted, {len(result.rejections)} rejected "
               f"({time.perf_counter() - started:.1f} s)")
    for reason, n in dict(summary["rejected_by_reason"]).items():  # type: ignore[call-overload]
        typer.echo(f"  {reason:<18} {n}")
    typer.echo(f"frame {summary['frame_hash']}")
    typer.echo(f"wrote {out / 'frame.csv'}, {out / 'rejects.xlsx'} (identities, 0600) and {out / 'frame.json'}")


@app.command()
def draw(
    survey: Path = SURVEY,
    seed: int | None = typer.Option(None, "--seed", min=0, help="The published seed (or `seed:` in the survey)."),
    out: Path = OUT,
    frame_file: Path | None = typer.Option(None, "--frame", help="Default: OUT/frame.csv."),
    verify: Path | None = typer.Option(None, "--verify",
                                       help="A draw.json to check: re-run the draw and compare, byte for byte."),
) -> None:
    """Draw official and reserve lists per stratum; or, with --verify, re-run a recorded draw and compare.

    Writes OUT/official.csv and OUT/reserve.csv (identities, 0600) and OUT/draw.json (the record a
    monitor verifies: seed, frame hash, algorithm and version, counts per stratum, list hashes).
    """
    from fieldwork import draw as draw_mod
    from fieldwork import draw_io
    from fieldwork.frame_io import check_frame_file, frame_hash, read_frame
    from fieldwork.survey import load_survey

    s = load_survey(survey)
    recorded = draw_io.read_record(verify) if verify is not None else None
    seed = _seed(seed, s.seed, recorded)
    path = frame_file or ((verify.parent if verify is not None else out) / "frame.csv")
    check_frame_file(path)
    records = read_frame(path)
    started = time.perf_counter()
    result = draw_mod.draw(s, records, seed)
    rec = draw_io.record(s, records, result)
    seconds = time.perf_counter() - started
    if verify is not None and recorded is not None:
        draw_io.require_same(draw_io.verify(recorded, rec, verify.parent, result), verify)
        typer.echo(f"verified: same lists for seed {seed} on frame {frame_hash(records)}")
        typer.echo(f"official {rec['official_hash']}\nreserve  {rec['reserve_hash']}")
        return
    draw_io.write_draw(out, rec, result)
    _print_summary(rec, seconds)
    typer.echo(f"wrote {out / 'official.csv'}, {out / 'reserve.csv'} (identities, 0600) and {out / 'draw.json'}")


def _seed(given: int | None, in_survey: int | None, recorded: dict[str, object] | None) -> int:
    candidates = {v for v in (given, in_survey) if v is not None}
    if recorded is not None and isinstance(recorded.get("seed"), int):
        candidates.add(int(recorded["seed"]))  # type: ignore[call-overload]
    if len(candidates) > 1:
        raise BadArgumentsError(f"seeds disagree ({', '.join(map(str, sorted(candidates)))}): "
                                "--seed, the survey's seed and the record must be the same number")
    if not candidates:
        raise BadArgumentsError("no seed: publish one and give it with --seed (or `seed:` in the survey)")
    return candidates.pop()


def _print_summary(rec: dict[str, object], seconds: float) -> None:
    totals = rec["totals"]
    assert isinstance(totals, dict)
    typer.echo(f"draw {rec['algorithm']} v{rec['algorithm_version']}, seed {rec['seed']}, "
               f"frame {rec['frame_hash']} ({rec['frame_records']} people, {seconds:.2f} s)")
    typer.echo(f"{'stratum':<22} {'people':>7} {'quota':>6} {'official':>8} {'reserve':>7}  short")
    strata = rec["strata"]
    assert isinstance(strata, list)
    for s in strata:
        short = f"  SHORT by {s['short']}" if s["short"] else ""
        typer.echo(f"{s['stratum']:<22} {s['population']:>7} {s['quota']:>6} {s['official']:>8} {s['reserve']:>7}"
                   f"{short}")
    typer.echo(f"{'total':<22} {totals['population']:>7} {totals['quota']:>6} {totals['official']:>8} "
               f"{totals['reserve']:>7}  {totals['short'] or ''}")
    typer.echo(f"official {rec['official_hash']}\nreserve  {rec['reserve_hash']}")


@app.command()
def dispatch(
    survey: Path = SURVEY,
    out: Path = OUT,
    dest: Path | None = typer.Option(None, "--to", help="Folder for forms and delivery lists (default OUT/dispatch)."),
    seed: int | None = typer.Option(None, "--form-seed", help="Make form ids reproducible (tests, demos)."),
    workspace: Path | None = typer.Option(None, "--workspace", "-w",
                                          help="Workspace whose ledger records the forms (default: the folder "
                                               "above OUT when OUT is <workspace>/fieldwork)."),
    db: str | None = typer.Option(None, "--db", help="Database URL (postgresql+psycopg://…) instead of SQLite."),
    actor: str | None = typer.Option(None, "--actor", help="Who dispatches (default: the login name)."),
) -> None:
    """Personalised forms for the official list, delivery lists per route/village (xlsx, PDF) and labels.

    Forms go to DEST/forms/ (forms.pdf and forms.manifest.csv: travels with the answers); identities
    (forms.identities.csv, delivery lists, labels) go to DEST/identities/ (0700 folder, 0600 files).
    The workspace's ledger gets the draw's slots and each form `printed` (id and route), and its store
    the forms manifest. A draw is dispatched once: a second dispatch is refused, naming the forms.
    Without a workspace (no -w, OUT not named fieldwork) the ledger is not recorded.
    """
    import getpass

    from fieldwork.dispatch import dispatch as run
    from fieldwork.dispatch_ledger import already_printed, record_dispatch, refuse_reprint
    from fieldwork.survey import load_survey
    from omr.store.db import open_store

    s = load_survey(survey)
    ws = workspace or (out.parent if out.resolve().name == "fieldwork" else None)
    store = open_store(ws, db) if ws is not None or db is not None else None
    if store is not None:
        refuse_reprint(s.name, already_printed(store, s.name))
    result = run(s, out / "official.csv", dest or out / "dispatch", seed)
    typer.echo(f"{result.forms} forms → {result.forms_pdf} (+ {result.manifest.name})")
    typer.echo(f"{len(result.routes)} delivery routes → {result.delivery_xlsx.name}, {result.delivery_pdf.name}, "
               f"{result.labels_pdf.name} in {result.delivery_xlsx.parent} (identities, 0600)")
    if store is None:
        typer.echo("ledger not recorded (no workspace): give -w WORKSPACE")
        return
    ledger = record_dispatch(store, s.name, out, result, actor=actor or getpass.getuser())
    typer.echo(f"ledger: {ledger.slots_added} slots added, {ledger.printed} forms printed; manifest: "
               f"{ledger.manifest.added} forms added to {store.safe_url}")


@app.command()
def schema(out: Path | None = typer.Option(None, help="Write to this file.")) -> None:
    """Print the JSON Schema of survey files."""
    from fieldwork.survey import survey_json_schema

    text = json.dumps(survey_json_schema(), ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")


# The life of a form after dispatch (one module each; the ledger is in the workspace database).
app.add_typer(returns_app, name="returns")
app.command(name="sync")(sync_cmd)
app.command(name="substitute")(substitute)
app.command(name="status")(status)
app.add_typer(verify_app, name="verify")
app.command(name="screen")(screen)
