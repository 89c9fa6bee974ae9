"""The fieldwork section: draw report, official and reserve lists, rejected rows (role ``fieldwork`` only).

Reads the files ``sipas fieldwork`` writes under ``<workspace>/fieldwork/``. Pages that show names,
addresses or phones (lists, rejects, downloads) record an audit event per view: who, when, which
file and which filter. Every page has a JSON twin under ``/api/fieldwork``.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from omr.errors import NotFoundError
from review_ui.audit import Event, record
from review_ui.config import Settings
from review_ui.contexts import doc
from review_ui.deps import CurrentUser, SettingsDep
from review_ui.permissions import require
from review_ui.rendering import as_json, render
from review_ui.users import UserInfo

router = APIRouter(tags=["fieldwork"])
DOWNLOADS = ("official.csv", "reserve.csv", "rejects.xlsx", "frame.csv", "draw.json", "frame.json")
"""Files of ``<workspace>/fieldwork`` a fieldwork user may download (all but the two .json hold identities)."""


@dataclass(frozen=True)
class StratumRow:
    stratum: str = doc("unit code / field or village code")
    population: int = doc("people in the frame")
    quota: int = doc("official list size asked")
    official: int = doc("people on the official list")
    reserve: int = doc("people on the reserve list")
    short: int = doc("quota minus official when the stratum is too small")


@dataclass(frozen=True)
class FieldworkOverview:
    frame_rows: int = doc("rows read from the lists")
    frame_accepted: int = doc("rows accepted into the frame")
    rejected_by_reason: dict[str, int] = doc("rejected rows per reason code")
    frame_hash: str = doc("SHA-256 of the frame's canonical form")
    seed: int | None = doc("seed of the draw, if drawn")
    algorithm: str = doc("draw algorithm and version")
    official_hash: str = doc("SHA-256 of official.csv")
    reserve_hash: str = doc("SHA-256 of reserve.csv")
    strata: tuple[StratumRow, ...] = doc("counts per stratum")
    downloads: tuple[str, ...] = doc("files present for download")


@dataclass(frozen=True)
class Person:
    rank: int = doc("order of drawing within the stratum")
    stratum: str = doc("stratum")
    name: str = doc("name (identity)")
    address: str = doc("residence address (identity)")
    phone: str = doc("phone (identity)")
    commune: str = doc("commune code of the residence")


@dataclass(frozen=True)
class ListPage:
    which: str = doc("official or reserve")
    stratum: str = doc("the stratum shown, or empty for all")
    strata: tuple[str, ...] = doc("strata of the list")
    people: tuple[Person, ...] = doc("people of the list")


@dataclass(frozen=True)
class RejectRow:
    file: str = doc("file and sheet the row came from")
    row: int = doc("row number in that sheet")
    reason: str = doc("reason code and text")
    detail: str = doc("what was wrong and what to do")
    written: str = doc("what the unit wrote (identity)")


@dataclass(frozen=True)
class RejectsPage:
    rows: tuple[RejectRow, ...] = doc("rejected rows, by file and row")


def _folder(settings: Settings) -> Path:
    return settings.workspace / "fieldwork"


def _audit(settings: Settings, user: UserInfo, action: str, what: str, detail: str = "") -> None:
    with settings.store.session() as s:
        record(s, Event(actor=user.name, action=action, field=what[:64], new=detail or None))


def _overview(settings: Settings) -> FieldworkOverview:
    folder = _folder(settings)
    frame = json.loads((folder / "frame.json").read_text(encoding="utf-8")) if (folder / "frame.json").is_file() else {}
    d = json.loads((folder / "draw.json").read_text(encoding="utf-8")) if (folder / "draw.json").is_file() else {}
    strata = tuple(StratumRow(s["stratum"], s["population"], s["quota"], s["official"], s["reserve"], s["short"])
                   for s in d.get("strata", []))
    return FieldworkOverview(
        frame.get("rows", 0), frame.get("accepted", 0), dict(frame.get("rejected_by_reason", {})),
        str(frame.get("frame_hash", d.get("frame_hash", ""))), d.get("seed"),
        f"{d['algorithm']} v{d['algorithm_version']}" if d else "", d.get("official_hash", ""),
        d.get("reserve_hash", ""), strata, tuple(n for n in DOWNLOADS if (folder / n).is_file()))


def _list(settings: Settings, which: str, stratum: str) -> ListPage:
    if which not in ("official", "reserve"):
        raise NotFoundError(f"no list {which!r}: official or reserve")
    path = _folder(settings) / f"{which}.csv"
    if not path.is_file():
        raise NotFoundError(f"{which} list not drawn yet: run `sipas fieldwork draw`")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    people = tuple(Person(int(r["rank"]), r["stratum"], r["name"], r["address"], r["phone"], r["commune"])
                   for r in rows if not stratum or r["stratum"] == stratum)
    return ListPage(which, stratum, tuple(sorted({r["stratum"] for r in rows})), people)


def _rejects(settings: Settings) -> RejectsPage:
    import openpyxl

    path = _folder(settings) / "rejects.xlsx"
    if not path.is_file():
        raise NotFoundError("no rejects yet: run `sipas fieldwork frame`")
    book = openpyxl.load_workbook(path, read_only=True)
    out = []
    try:
        for ws in book.worksheets:
            it = ws.iter_rows(values_only=True)
            header = next(it, ())
            for r in it:
                written = "; ".join(f"{h}: {v}" for h, v in zip(header[5:], r[5:], strict=False) if v)
                out.append(RejectRow(str(r[0]), int(r[1] or 0), f"{r[3]} — {r[2]}", str(r[4] or ""), written))
    finally:
        book.close()
    return RejectsPage(tuple(sorted(out, key=lambda x: (x.file, x.row))))


@router.get("/fieldwork")
def overview_html(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    require(user, "fieldwork")
    return render(request, "fieldwork/overview.html", _overview(settings), json_url="/api/fieldwork")


@router.get("/api/fieldwork")
def overview_json(settings: SettingsDep, user: CurrentUser) -> JSONResponse:
    require(user, "fieldwork")
    return as_json(_overview(settings))


@router.get("/fieldwork/lists/{which}")
def list_html(request: Request, which: str, settings: SettingsDep, user: CurrentUser, stratum: str = "") -> Response:
    require(user, "fieldwork")
    page = _list(settings, which, stratum)
    _audit(settings, user, "view-identities", f"{which}.csv", stratum)
    return render(request, "fieldwork/list.html", page, json_url=f"/api/fieldwork/lists/{which}")


@router.get("/api/fieldwork/lists/{which}")
def list_json(which: str, settings: SettingsDep, user: CurrentUser, stratum: str = "") -> JSONResponse:
    require(user, "fieldwork")
    page = _list(settings, which, stratum)
    _audit(settings, user, "view-identities", f"{which}.csv", stratum)
    return as_json(page)


@router.get("/fieldwork/rejects")
def rejects_html(request: Request, settings: SettingsDep, user: CurrentUser) -> Response:
    require(user, "fieldwork")
    page = _rejects(settings)
    _audit(settings, user, "view-identities", "rejects.xlsx")
    return render(request, "fieldwork/rejects.html", page, json_url="/api/fieldwork/rejects")


@router.get("/api/fieldwork/rejects")
def rejects_json(settings: SettingsDep, user: CurrentUser) -> JSONResponse:
    require(user, "fieldwork")
    page = _rejects(settings)
    _audit(settings, user, "view-identities", "rejects.xlsx")
    return as_json(page)


@router.get("/fieldwork/files/{name}")
def download(name: str, settings: SettingsDep, user: CurrentUser) -> Response:
    require(user, "fieldwork")
    path = _folder(settings) / name
    if name not in DOWNLOADS or not path.is_file():
        raise NotFoundError(f"no fieldwork file {name!r}")
    _audit(settings, user, "download-identities", name)
    return FileResponse(path, filename=name, headers={"Cache-Control": "no-store"})
