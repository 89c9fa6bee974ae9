"""The draw: reproducible byte for byte, different for another seed, never a person twice, short strata
reported, verifiable by a monitor (CLI)."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from _fieldwork import LONG_BIEN

from fieldwork.draw import draw, random_order
from fieldwork.draw_io import list_csv, record
from fieldwork.frame_check import FrameRecord, person_key
from fieldwork.survey import Survey
from omr.errors import ExitCode
from sipas.cli import main


def _people(survey: Survey, per_stratum: dict[str, int]) -> tuple[FrameRecord, ...]:
    out = []
    n = 0
    for unit in survey.units:
        for group in survey.groups(unit):
            key = f"{unit.code}/{group.code}"
            for _ in range(per_stratum.get(key, 50)):
                n += 1
                name, phone = f"Người {n}", f"09{n:08d}"
                out.append(FrameRecord(person_key(name, phone), key, unit.code, group.code, name, f"số {n}", phone,
                                       "2020-03-01", "01", "004", unit.code, "list.xlsx", n))
    return tuple(out)


def test_same_seed_same_lists_other_seed_other_lists(long_bien: Survey) -> None:
    people = _people(long_bien, {})
    a, b, c = draw(long_bien, people, 7), draw(long_bien, tuple(reversed(people)), 7), draw(long_bien, people, 8)
    assert list_csv(a, "official") == list_csv(b, "official")
    assert list_csv(a, "reserve") == list_csv(b, "reserve")
    assert record(long_bien, people, a) == record(long_bien, tuple(reversed(people)), b)
    assert list_csv(a, "official") != list_csv(c, "official")


def test_no_person_twice_and_quotas_met_or_reported(long_bien: Survey) -> None:
    people = _people(long_bien, {"004/tnmt": 12, "00115/tp": 31})
    d = draw(long_bien, people, 3)
    chosen = [r.person for s in d.strata for r in (*s.official, *s.reserve)]
    assert len(chosen) == len(set(chosen))
    by = {s.stratum: s for s in d.strata}
    assert len(by["004/tnmt"].official) == 12 and by["004/tnmt"].short == 18 and by["004/tnmt"].reserve == ()
    assert len(by["00115/tp"].official) == 30 and len(by["00115/tp"].reserve) == 1
    for s in d.strata:
        assert len(s.official) == s.quota or s.short == s.quota - len(s.official) > 0
        assert all(r.stratum == s.stratum for r in (*s.official, *s.reserve))


def test_formula_quota_where_none_given(long_bien: Survey) -> None:
    survey = long_bien.model_copy(update={"quota": None, "total": None})
    d = draw(survey, _people(survey, {"004/tnmt": 400}), 1)
    tnmt = next(s for s in d.strata if s.stratum == "004/tnmt")
    assert (tnmt.quota, tnmt.quota_rule, len(tnmt.official)) == (200, "formula", 200)


def test_stratum_draw_independent_of_other_strata(long_bien: Survey) -> None:
    people = _people(long_bien, {})
    stratum = [r for r in people if r.stratum == "00127/tp"]
    assert random_order(stratum, 5, "00127/tp") == random_order(list(reversed(stratum)), 5, "00127/tp")
    d1 = draw(long_bien, people, 5)
    d2 = draw(long_bien, tuple(r for r in people if r.unit != "004"), 5)
    s1 = next(s for s in d1.strata if s.stratum == "00127/tp")
    s2 = next(s for s in d2.strata if s.stratum == "00127/tp")
    assert s1.official == s2.official


def test_known_answer() -> None:
    """Pins the algorithm: a change of numpy's PCG64 or SeedSequence, or of the code, fails here."""
    recs = [FrameRecord(f"p{i:02d}", "s", "u", "g", "", "", "", "", "", "", "", "", 0) for i in range(6)]
    assert [r.person for r in random_order(recs, 42, "00115/tp")] == KNOWN


KNOWN = ["p00", "p05", "p04", "p01", "p02", "p03"]
"""Raw PCG64 outputs 3474673847813060022, 11350484197567291649, 12407717883767864818, 13987155810356726717,
6247983366756997082, 4085044603402206505 for p00…p05, sorted."""


def _frame_csv(tmp_path: Path, survey: Survey) -> Path:
    from fieldwork.frame_io import write_frame

    out = tmp_path / "fw"
    write_frame(tuple(replace(r) for r in _people(survey, {"00136/ldtbxh": 10})), out / "frame.csv")
    return out


def test_cli_draw_and_verify(long_bien: Survey, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _frame_csv(tmp_path, long_bien)
    assert main(["fieldwork", "draw", "--survey", str(LONG_BIEN), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "SHORT by 20" in text and "sha256:" in text
    rec = json.loads((out / "draw.json").read_text(encoding="utf-8"))
    assert rec["seed"] == 20200922 and rec["algorithm"] == "sipas-draw" and rec["totals"]["short"] == 20
    for name in ("official.csv", "reserve.csv"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    first = (out / "official.csv").read_bytes()
    assert main(["fieldwork", "draw", "--survey", str(LONG_BIEN), "--verify", str(out / "draw.json")]) == 0
    assert "verified: same lists" in capsys.readouterr().out
    assert main(["fieldwork", "draw", "--survey", str(LONG_BIEN), "--out", str(out)]) == 0
    assert (out / "official.csv").read_bytes() == first
    # a monitor's re-run with another seed, or on a frame someone edited, does not verify
    code = main(["fieldwork", "draw", "--survey", str(LONG_BIEN), "--seed", "1", "--verify", str(out / "draw.json")])
    assert code == ExitCode.bad_args
    lines = (out / "frame.csv").read_text(encoding="utf-8").splitlines()
    (out / "frame.csv").write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    assert main(["fieldwork", "draw", "--survey", str(LONG_BIEN), "--verify", str(out / "draw.json")]) == \
        ExitCode.conflict
    assert "frame_hash: recorded" in capsys.readouterr().err


def test_cli_draw_needs_a_seed(long_bien: Survey, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    survey = tmp_path / "s.yaml"
    survey.write_text(LONG_BIEN.read_text(encoding="utf-8").replace("seed: 20200922", ""), encoding="utf-8")
    out = _frame_csv(tmp_path, long_bien)
    assert main(["fieldwork", "draw", "--survey", str(survey), "--out", str(out)]) == ExitCode.bad_args
    assert "no seed: publish one" in capsys.readouterr().err
