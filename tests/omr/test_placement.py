"""Unidentified pages placed by their position in a multi-page file, end to end (real reader)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from omr.batch import scan
from omr.render import new_copies, render_pdf, write_manifest
from omr.store.db import Store
from omr.store.manifest import import_manifest
from omr.store.schema import AnswerRow, AuditEvent, PageRow, ReviewItem
from omr.template.layout import ID_TEXT_RECT, QR_RECT, Rect
from omr.template.load import load_template

pytestmark = pytest.mark.slow
DPI = 150


def _wipe(img: np.ndarray, rect: Rect) -> None:
    px = DPI / 25.4
    y0, y1, x0, x1 = (round(v * px) for v in (rect.y - 1, rect.bottom + 1, rect.x - 1, rect.right + 1))
    img[y0:y1, x0:x1] = 246


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[list[np.ndarray]]]:
    """Two sipas-2019 forms (every page) rasterised at 150 dpi, and their manifest."""
    work = tmp_path_factory.mktemp("place")
    t = load_template("sipas-2019")
    copies = new_copies(2, seed=21)
    (work / "forms.pdf").write_bytes(render_pdf(t, copies))
    write_manifest(t, copies, work / "forms.manifest.csv")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(work / "forms.pdf"), str(work / "p")], check=True)
    pages = []
    for pgm in sorted(work.glob("p-*.pgm")):
        with Image.open(pgm) as im:
            pages.append(np.array(im.convert("L")))
    n = t.page_count
    return work / "forms.manifest.csv", [c.form_id for c in copies], [pages[:n], pages[n:]]


def _unidentifiable(img: np.ndarray) -> np.ndarray:
    out = img.copy()
    _wipe(out, QR_RECT)
    _wipe(out, ID_TEXT_RECT)
    return out


def _tiff(path: Path, images: list[np.ndarray]) -> Path:
    first, *rest = [Image.fromarray(i) for i in images]
    first.save(path, compression="tiff_deflate", save_all=True, append_images=rest, dpi=(DPI, DPI))
    return path


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_page_between_pages_1_and_3_of_a_form_is_placed_as_its_page_2(
        store: Store, forms: tuple[Path, list[str], list[list[np.ndarray]]], tmp_path: Path, jobs: int) -> None:
    manifest, ids, pages = forms
    f, g = ids
    import_manifest(store, manifest)
    n = len(pages[0])
    good = _tiff(tmp_path / "a.tif", [pages[0][0], _unidentifiable(pages[0][1]), *pages[0][2:]])
    # G's page 3 between G's page 1 and 3 would be G page 2 by order, but its layout is page 3's:
    # it is left for a reviewer.
    wrong = _tiff(tmp_path / "b.tif", [pages[1][0], _unidentifiable(pages[1][2]), pages[1][2]])
    result = scan([good, wrong], store, jobs=jobs)
    with store.session() as s:
        by_file: dict[int, list[PageRow]] = {}
        for p in s.scalars(select(PageRow).order_by(PageRow.file_id, PageRow.page_index)):
            by_file.setdefault(p.file_id, []).append(p)
        a, b = by_file.values()
        assert [(p.form_id, p.page_number) for p in a] == [(f, k) for k in range(1, n + 1)]
        placed = a[1]
        assert placed.outcome in ("read", "review")  # as its fields say
        assert (placed.reason or "").startswith(f"placed by its position in {good} between pages 1 and 3 of "
                                                f"{f[:4]}-{f[4:]}")
        items = s.scalars(select(ReviewItem).where(ReviewItem.page_id == placed.id,
                                                   ReviewItem.kind == "unidentified_page")).all()
        assert [i.status for i in items] == ["done"]
        assert s.scalars(select(AnswerRow).where(AnswerRow.page_id == placed.id)).first() is not None
        assert s.scalars(select(AuditEvent).where(AuditEvent.page_id == placed.id,
                                                  AuditEvent.actor.like("%placed by position"))).first()
        left = b[1]
        assert left.form_id is None and left.outcome == "review"
        assert (left.reason or "").startswith("unidentified page")
        assert s.scalars(select(ReviewItem).where(ReviewItem.page_id == left.id,
                                                  ReviewItem.status == "open")).first() is not None
    assert result.forms_complete == 1 and result.pages == n + 3
    assert [(gap.form_id, gap.missing) for gap in result.forms_incomplete] == [(g, (2, *range(4, n + 1)))]
