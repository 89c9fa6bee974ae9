"""The draw on disk: ``official.csv`` and ``reserve.csv`` (identities, 0600) and ``draw.json``, the
record a monitor re-runs (``sipas fieldwork draw --verify``): seed, frame and survey hashes,
algorithm and version, counts per stratum and the hashes of both lists. Nothing in it changes
between two runs on the same frame and seed, so the record itself compares byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import numpy as np

from fieldwork.draw import ALGORITHM, VERSION, Draw
from fieldwork.errors import DrawMismatchError
from fieldwork.frame_check import FrameRecord
from fieldwork.frame_io import frame_hash
from fieldwork.private import write_private
from fieldwork.survey import Survey, survey_hash
from omr.errors import InputFileError

LIST_COLUMNS = ("list", "rank", "stratum", "unit", "group", "person", "name", "address", "phone", "province",
                "district", "commune", "date")


def list_csv(d: Draw, which: str) -> bytes:
    """``official`` or ``reserve`` list: one row per person, by stratum then rank (1 = first drawn)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LIST_COLUMNS)
    for s in d.strata:
        people = s.official if which == "official" else s.reserve
        for rank, r in enumerate(people, start=1):
            w.writerow([which, rank, s.stratum, r.unit, r.group, r.person, r.name, r.address, r.phone, r.province,
                        r.district, r.commune, r.date])
    return buf.getvalue().encode("utf-8")


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def record(survey: Survey, records: tuple[FrameRecord, ...], d: Draw) -> dict[str, Any]:
    """The draw record (no identities)."""
    return {
        "format": "sipas-draw-record/1",
        "algorithm": ALGORITHM,
        "algorithm_version": VERSION,
        "method": "per stratum: PCG64(SeedSequence(seed, spawn_key=SHA-256(stratum)[:16] as 4 uint32)); "
                  "one random_raw per person in person-key order; sort by (value, person); "
                  "official = first quota, reserve = next",
        "numpy": np.__version__,
        "survey": survey.name,
        "survey_hash": survey_hash(survey),
        "scheme": survey.scheme,
        "seed": d.seed,
        "frame_hash": frame_hash(records),
        "frame_records": len(records),
        "official_hash": _sha(list_csv(d, "official")),
        "reserve_hash": _sha(list_csv(d, "reserve")),
        "totals": {
            "population": sum(s.population for s in d.strata),
            "quota": sum(s.quota for s in d.strata),
            "official": sum(len(s.official) for s in d.strata),
            "reserve": sum(len(s.reserve) for s in d.strata),
            "short": sum(s.short for s in d.strata),
        },
        "strata": [
            {"stratum": s.stratum, "unit": s.unit, "group": s.group, "population": s.population, "quota": s.quota,
             "quota_rule": s.quota_rule, "official": len(s.official), "reserve": len(s.reserve), "short": s.short}
            for s in d.strata
        ],
    }


def record_bytes(rec: dict[str, Any]) -> bytes:
    return (json.dumps(rec, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_draw(out: Path, rec: dict[str, Any], d: Draw) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_private(out / "official.csv", list_csv(d, "official"))
    write_private(out / "reserve.csv", list_csv(d, "reserve"))
    (out / "draw.json").write_bytes(record_bytes(rec))


def read_record(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(f"{path}: cannot read the draw record: {exc}") from exc
    if data.get("format") != "sipas-draw-record/1":
        raise InputFileError(f"{path}: not a draw record written by `sipas fieldwork draw`")
    return data


def verify(recorded: dict[str, Any], rerun: dict[str, Any], folder: Path, d: Draw) -> list[str]:
    """What differs between the recorded draw and a re-run (empty: the same, byte for byte)."""
    diffs = []
    if recorded.get("algorithm") != ALGORITHM or recorded.get("algorithm_version") != VERSION:
        diffs.append(f"algorithm {recorded.get('algorithm')} v{recorded.get('algorithm_version')} is not "
                     f"{ALGORITHM} v{VERSION}")
    for key in ("frame_hash", "survey_hash", "seed", "official_hash", "reserve_hash", "strata", "totals"):
        if recorded.get(key) != rerun.get(key):
            diffs.append(f"{key}: recorded {_short(recorded.get(key))}, re-run {_short(rerun.get(key))}")
    for which in ("official", "reserve"):
        path = folder / f"{which}.csv"
        if path.is_file() and path.read_bytes() != list_csv(d, which):
            diffs.append(f"{path} differs from the re-run {which} list")
    if not diffs and record_bytes(recorded) != record_bytes(rerun) and recorded.get("numpy") == rerun.get("numpy"):
        diffs.append("the record differs from the re-run in a field other than the lists")
    return diffs


def require_same(diffs: list[str], path: Path) -> None:
    if diffs:
        raise DrawMismatchError(f"{path}: the draw does not verify:\n  " + "\n  ".join(diffs))


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."
