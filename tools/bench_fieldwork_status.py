"""Benchmark of ``sipas fieldwork status`` (``make bench``; not a test): a fresh SQLite ledger with N
forms in realistic states, then ``compute_status`` (median of 5) and the command end to end.

``python -m tools.bench_fieldwork_status --forms 40000`` prints JSON. The ledger is filled by bulk insert
with a fixed seed: 40 units × 5 fields, official forms in every state of a survey half-way through
collection, not-reached forms mostly replaced from the reserve list, a postman known for most forms.
``fw_events`` is left empty: the status reads ``fw_forms`` only. Wall-clock and CPU seconds are both
reported (CPU time says more on a shared, loaded machine), with the start-up of
``sipas fieldwork status --help`` for comparison: the command's own work is the difference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from fieldwork.ledger import open_ledger
from fieldwork.ledger_schema import NOT_REACHED, FieldworkForm
from fieldwork.status import compute_status
from fieldwork.survey import load_survey
from omr.store.db import open_store

UNITS, FIELDS = 40, 5
TODAY = dt.date(2025, 10, 20)
STATES = {  # share of printed forms per current state (a survey half-way through collection)
    "printed": 0.02, "handed": 0.06, "delivered": 0.09, "unreachable": 0.03, "refused": 0.02, "moved": 0.01,
    "collected": 0.10, "scanned": 0.05, "verified": 0.05, "scored": 0.55, "invalid": 0.02,
}
REPLACED = 0.8
"""Share of not-reached official forms already replaced by a reserve person."""


def survey_yaml(forms: int) -> str:
    quota = max(1, forms // (UNITS * FIELDS))
    units = "\n".join(
        f"  - {{code: 'U{u:03d}', name: 'Đơn vị {u}', level: commune, fields: ["
        + ", ".join(f"{{code: f{f}, name: 'Lĩnh vực {f}'}}" for f in range(FIELDS)) + "]}"
        for u in range(UNITS))
    return (f"name: bench-status\nyear: 2025\ninstrument: sipas-2023\nscheme: '2025'\npopulation: one-stop-shop\n"
            f"province: {{code: '01', name: Thành phố Hà Nội}}\nwindow: {{start: 2025-01-01, end: 2025-06-30}}\n"
            f"quota: {quota}\nreserve: {{ratio: 0.2}}\n"
            f"collection: {{deliver_by: 2025-10-10, collect_by: 2025-10-15}}\nunits:\n{units}\n")


def fill(workspace: Path, forms: int, seed: int = 1) -> int:
    """Bulk-insert the ledger of survey ``bench-status``; returns the number of slots."""
    rng = random.Random(seed)
    store = open_ledger(open_store(workspace))
    quota = max(1, forms // (UNITS * FIELDS))
    reserve = max(1, quota // 5)
    names, weights = list(STATES), list(STATES.values())
    rows: list[dict[str, Any]] = []
    n = 0

    def form_id() -> str:
        nonlocal n
        n += 1
        return f"B{n:07d}"

    for u in range(UNITS):
        postmen = [f"Bưu tá {u}-{k}" for k in range(3)]
        for f in range(FIELDS):
            stratum, route = f"U{u:03d}/f{f}", f"Phường {u}"
            free = list(range(1, reserve + 1))
            for rank in range(1, quota + 1):
                state = rng.choices(names, weights)[0]
                fid = form_id()
                row = dict(survey="bench-status", stratum=stratum, unit=f"U{u:03d}", grp=f"f{f}", list="official",
                           rank=rank, person=f"p{fid}", form_id=fid, route=route,
                           postman=rng.choice(postmen) if state != "printed" and rng.random() < 0.9 else None,
                           state=state, state_on=TODAY, substitute_for=None, replaced_by=None, reason=None)
                if state in NOT_REACHED and free and rng.random() < REPLACED:
                    sub = form_id()
                    row["replaced_by"] = sub
                    rows.append(dict(row, list="reserve", rank=free.pop(0), person=f"p{sub}", form_id=sub,
                                     state=rng.choices(names, weights)[0], substitute_for=fid, replaced_by=None))
                rows.append(row)
            for rank in free:
                rows.append(dict(survey="bench-status", stratum=stratum, unit=f"U{u:03d}", grp=f"f{f}", list="reserve",
                                 rank=rank, person=f"r{stratum}{rank}", form_id=None, route=None, postman=None,
                                 state="drawn", state_on=None, substitute_for=None, replaced_by=None, reason=None))
    with store.session() as s:
        s.execute(insert(FieldworkForm), rows)
    store.engine.dispose()
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--forms", type=int, default=40000, help="official forms (default 40000)")
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each measurement (median reported)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sipas-bench-status-") as tmp:
        ws = Path(tmp) / "ws"
        survey_path = Path(tmp) / "bench-status.yaml"
        survey_path.write_text(survey_yaml(args.forms), encoding="utf-8")
        survey = load_survey(survey_path)
        started = time.perf_counter()
        slots = fill(ws, args.forms)
        fill_s = time.perf_counter() - started
        store = open_store(ws)
        runs, cpu, status = [], [], None
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            status = compute_status(store, survey, today=TODAY)
            runs.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        store.engine.dispose()
        assert status is not None
        cmd = [sys.executable, "-m", "sipas.cli", "fieldwork", "status", "--survey", str(survey_path), "-w", str(ws),
               "--today", TODAY.isoformat()]
        cli, cli_cpu = zip(*(_timed(cmd) for _ in range(args.runs)), strict=True)
        startup, startup_cpu = zip(*(_timed([*cmd[:5], "--help"]) for _ in range(args.runs)), strict=True)
    result = {
        "forms_official": status.total.drawn_official,
        "forms_out": status.total.forms_out,
        "slots": slots,
        "fill_seconds": round(fill_s, 2),
        "compute_status_seconds": round(statistics.median(runs), 4),
        "compute_status_runs": [round(r, 4) for r in runs],
        "compute_status_cpu_seconds": round(statistics.median(cpu), 4),
        "cli_seconds": round(statistics.median(cli), 3),
        "cli_runs": [round(r, 3) for r in cli],
        "cli_cpu_seconds": round(statistics.median(cli_cpu), 3),
        "cli_startup_seconds": round(statistics.median(startup), 3),
        "cli_startup_cpu_seconds": round(statistics.median(startup_cpu), 3),
        "cli_startup_note": "`sipas fieldwork status --help`: interpreter and CLI start-up, no query",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "ministry": {"issued": status.ministry.issued, "returned": status.ministry.returned,
                     "valid": status.ministry.valid},
        "response_rate": round(status.total.response_rate or 0.0, 4),
        "overdue": status.total.overdue,
    }
    sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0


def _timed(cmd: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of running ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    sys.exit(main())
