"""Tidy CSV tables of the results: one row per unit and indicator, plus shares and ranges."""

from __future__ import annotations

import csv
from pathlib import Path

from scoring.results import Results


def _fmt(v: float | None) -> str:
    return "" if v is None else repr(float(v))


def write_tables(results: Results, out_dir: Path) -> list[Path]:
    """``indices.csv``, ``shares.csv`` and ``ranges.csv`` (unrounded values; blank = no value)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    kinds = {i.code: i for i in results.indicators}
    paths = [out_dir / "indices.csv", out_dir / "shares.csv", out_dir / "ranges.csv"]
    with paths[0].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["level", "unit_path", "unit", "forms", "indicator", "kind", "value", "satisfied", "valid",
                    "rank", "delta_pp", "rank_change"])
        for u in results.units:
            for code, value in u.values.items():
                sat, n = u.counts.get(code, ("", ""))
                rc = u.rank_change.get(code)
                w.writerow([u.level, "/".join(u.path), u.label, u.forms, code, kinds[code].kind, _fmt(value), sat, n,
                            u.ranks.get(code, ""), _fmt(u.delta.get(code)), "" if rc is None else rc])
    with paths[1].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["level", "unit_path", "unit", "forms", "group", "indicator", "value_code", "share"])
        keys = {k.key: k for k in results.shares}
        for u in results.units:
            for key, share in u.shares.items():
                k = keys[key]
                w.writerow([u.level, "/".join(u.path), u.label, u.forms, k.group, k.indicator, k.value or "",
                            _fmt(share)])
    with paths[2].open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["level", "indicator", "min", "min_unit", "max", "max_unit"])
        for g in results.ranges:
            w.writerow([g.level, g.indicator, _fmt(g.min), g.min_unit, _fmt(g.max), g.max_unit])
    return paths
