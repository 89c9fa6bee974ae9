"""The fieldwork status: exact counts on a small ledger built with the ledger API, the CLI and the docs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from _fieldwork import LONG_BIEN, ROOT
from _fw_status import AFTER, BEFORE, COLLECT_BY, story_ledger, with_collection

from fieldwork.status import COUNT_FIELDS, Counts, MinistryCounts, compute_status, fieldwork_figures
from fieldwork.status_table import report, to_json
from fieldwork.survey import Survey
from omr.errors import BadArgumentsError
from omr.store.db import Store, open_store
from sipas.cli import main


@pytest.fixture(scope="module")
def survey(long_bien: Survey) -> Survey:
    return with_collection(long_bien)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, survey: Survey) -> Iterator[Store]:
    store = story_ledger(tmp_path_factory.mktemp("ws"), survey.name)
    yield store
    store.engine.dispose()


def _counts(**given: int) -> dict[str, int]:
    return {k: given.get(k, 0) for k in COUNT_FIELDS}


def _ints(c: Counts) -> dict[str, int]:
    return {k: getattr(c, k) for k in COUNT_FIELDS}


TOTAL_AFTER = _counts(drawn_official=7, reserve_used=1, forms_out=8, handed=7, delivered=4, unreachable=1, refused=1,
                      collected=3, awaiting=2, overdue=2, late_delivery=2, scanned=2, verified=2, valid=1, invalid=1,
                      replaced=1, issued=7)


def test_totals_equal_the_story_exactly(store: Store, survey: Survey) -> None:
    st = compute_status(store, survey, today=AFTER)
    assert _ints(st.total) == TOTAL_AFTER
    assert st.total.response_rate == pytest.approx(3 / 7)
    assert st.total.substitution_rate == pytest.approx(1 / 7)
    assert st.total.valid_rate == pytest.approx(1 / 3)
    assert st.ministry == MinistryCounts(issued=7, returned=3, valid=1)
    assert st.notes == ()


def test_overdue_only_after_the_collection_day(store: Store, survey: Survey) -> None:
    on_day = compute_status(store, survey, today=COLLECT_BY).total
    assert (on_day.awaiting, on_day.overdue, on_day.late_delivery) == (2, 0, 2)
    before = compute_status(store, survey, today=BEFORE).total
    assert (before.overdue, before.late_delivery) == (0, 0)


def test_without_collection_dates_overdue_is_zero_with_a_note(store: Store, long_bien: Survey) -> None:
    st = compute_status(store, long_bien.model_copy(update={"collection": None}), today=AFTER)
    assert (st.total.overdue, st.total.late_delivery, st.total.awaiting) == (0, 0, 2)
    assert any("collection" in n for n in st.notes)


def test_rows_per_unit_stratum_and_postman(store: Store, survey: Survey) -> None:
    st = compute_status(store, survey, today=AFTER)
    units = {r.key: r for r in st.by_unit}
    assert [r.key for r in st.by_unit] == ["004", "00115", "00127", "00136"]  # the survey's order, empty units too
    assert units["004"].name == "UBND quận Long Biên"
    assert _ints(units["004"].counts) == _counts(drawn_official=4, reserve_used=1, forms_out=5, handed=5, delivered=3,
                                                 unreachable=1, collected=2, awaiting=2, overdue=2, late_delivery=1,
                                                 scanned=2, verified=2, valid=1, invalid=1, replaced=1, issued=4)
    assert units["004"].counts.response_rate == pytest.approx(2 / 4)
    assert _ints(units["00115"].counts) == _counts(drawn_official=3, forms_out=3, handed=2, delivered=1, refused=1,
                                                   collected=1, late_delivery=1, issued=3)
    assert units["00115"].counts.substitution_rate == 0.0
    assert units["00127"].counts == Counts(**_counts(), response_rate=None, substitution_rate=None, valid_rate=None)
    strata = {r.key: r for r in st.by_stratum}
    assert len(st.by_stratum) == 8  # every field of every unit
    assert strata["004/tnmt"].counts == units["004"].counts
    assert strata["004/tnmt"].name == "Tài nguyên và môi trường"
    assert strata["004/hkd"].counts.drawn_official == 0
    postmen = {r.key: r for r in st.by_postman}
    assert list(postmen) == ["Bưu tá An", "route:Long Biên", "route:Thượng Thanh", ""]
    assert postmen["Bưu tá An"].counts.forms_out == 4
    assert postmen["route:Long Biên"].name == "route: Long Biên"
    assert _ints(postmen["route:Long Biên"].counts) == _counts(reserve_used=1, forms_out=1, handed=1, delivered=1,
                                                               awaiting=1, overdue=1, issued=1)
    assert postmen["route:Thượng Thanh"].counts.drawn_official == 3
    assert _ints(postmen[""].counts) == _counts()  # the two reserve people never brought in
    for rows in (st.by_unit, st.by_stratum, st.by_postman):
        for field in COUNT_FIELDS:
            assert sum(getattr(r.counts, field) for r in rows) == getattr(st.total, field), field


def test_filter_by_unit(store: Store, survey: Survey) -> None:
    st = compute_status(store, survey, today=AFTER, unit="00115")
    assert [r.key for r in st.by_unit] == ["00115"]
    assert [r.key for r in st.by_stratum] == ["00115/tp", "00115/ldtbxh"]
    assert st.total.forms_out == 3 and st.ministry == MinistryCounts(3, 1, 0)
    with pytest.raises(BadArgumentsError, match="unit 'nowhere' is not in survey long-bien-2020"):
        compute_status(store, survey, today=AFTER, unit="nowhere")


def test_an_empty_ledger_says_so(tmp_path: Path, survey: Survey) -> None:
    st = compute_status(open_store(tmp_path), survey, today=AFTER)
    assert st.total.forms_out == 0 and st.total.response_rate is None
    assert any("no form" in n for n in st.notes)
    assert fieldwork_figures(open_store(tmp_path), survey.name) is None


def test_ministry_line_in_the_published_form() -> None:
    m = MinistryCounts(issued=30000, returned=28439, valid=28372)
    assert m.line("vi") == "Phát ra 30.000 phiếu, thu về 28.439 phiếu, hợp lệ 28.372 phiếu"
    assert m.line("en") == "30,000 forms issued, 28,439 returned, 28,372 valid"


def test_figures_for_the_report(store: Store, survey: Survey) -> None:
    fig = fieldwork_figures(store, survey.name)
    assert fig is not None
    assert (fig.issued, fig.returned, fig.valid, fig.substitutes) == (7, 3, 1, 1)
    assert fig.valid_rate == pytest.approx(1 / 3)
    assert [(u.unit, u.issued, u.returned, u.valid) for u in fig.units] == [("00115", 3, 1, 0), ("004", 4, 2, 1)]
    named = fieldwork_figures(store, survey)
    assert named is not None and [u.name for u in named.units] == ["UBND quận Long Biên", "UBND phường Thượng Thanh"]


def test_report_is_aligned(store: Store, survey: Survey) -> None:
    text = report(compute_status(store, survey, today=AFTER), "unit")
    table = text.split("\n\n")[1].splitlines()
    assert table[0].startswith("đơn vị") and table[1].startswith("unit")
    data = [line for line in table if not line.startswith("-")]
    ends = {len(line) for line in data}
    assert len(ends) == 1, data  # every line ends at the last column's right edge
    assert "Phát ra 7 phiếu, thu về 3 phiếu, hợp lệ 1 phiếu" in text
    assert re.search(r"tổng / total\s+7\s+1\s+8\s+7\s+4\s+1\s+1\s+0\s+3\s+2\s+2\s+2\s+1\s+1\s+42\.9%\s+14\.3%\s+33\.3%",
                     text)


def test_cli_table_and_json(store: Store, survey: Survey, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "survey.yaml"
    path.write_text(LONG_BIEN.read_text(encoding="utf-8") + "collection: {deliver_by: 2020-09-20, "
                    "collect_by: 2020-09-25}\n", encoding="utf-8")
    ws = ["--survey", str(path), "-w", str(store.workspace), "--today", "2020-09-26"]
    assert main(["fieldwork", "status", *ws, "--by", "postman"]) == 0
    out = capsys.readouterr().out
    assert "bưu tá / tuyến" in out and "route: Thượng Thanh" in out
    assert main(["fieldwork", "status", *ws, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data["total"][k] for k in COUNT_FIELDS} == TOTAL_AFTER
    assert data["ministry"] == {"issued": 7, "returned": 3, "valid": 1} and data["collect_by"] == "2020-09-25"
    assert data == to_json(compute_status(store, survey, today=AFTER))
    assert main(["fieldwork", "status", *ws, "--by", "village"]) != 0
    assert "--by 'village'" in capsys.readouterr().err


def test_docs_define_every_column() -> None:
    text = (ROOT / "docs" / "fieldwork-status.md").read_text(encoding="utf-8")
    for field in (*COUNT_FIELDS, "response_rate", "substitution_rate", "valid_rate", "issued", "returned", "valid"):
        assert f"`{field}`" in text, field
