"""Stores for the ingest/store/batch tests: SQLite in a temp workspace, and PostgreSQL in a fresh schema."""

from __future__ import annotations

import io
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from omr.render import new_copies, render_pdf, write_manifest
from omr.store.db import Store, open_store
from omr.template.layout import Box, layout_template
from omr.template.load import load_template


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None (the workspace's SQLite file) or a PostgreSQL URL whose search_path is a fresh schema."""
    if request.param == "sqlite":
        yield None
        return
    base = str(request.getfixturevalue("pg_url"))
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def store(db_url: str | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """An empty store (workspace in a temp folder)."""
    opened = open_store(tmp_path_factory.mktemp("ws"), db_url)
    try:
        yield opened
    finally:
        opened.engine.dispose()


# -- a real batch of scanned forms (rendered, marked, scanned) for the end-to-end tests ---------------
DPI = 200
MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini.yaml"


@dataclass(frozen=True)
class ScanBatch:
    """Input files of a small batch, what was marked on each form, and the manifest of the print run."""

    folder: Path
    manifest: Path
    truth: dict[str, dict[str, str]]
    pages: int
    duplicate: Path
    photo: Path
    blank: Path


def _cross(img: np.ndarray, box: Box) -> None:
    px = DPI / 25.4
    r = box.rect
    x0, y0 = round((r.x + 0.7) * px), round((r.y + 0.7) * px)
    x1, y1 = round((r.right - 0.7) * px), round((r.bottom - 0.7) * px)
    cv2.line(img, (x0, y0), (x1, y1), 30, 3, cv2.LINE_AA)
    cv2.line(img, (x0, y1), (x1, y0), 30, 3, cv2.LINE_AA)


def _jpeg(img: np.ndarray) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 88])
    assert ok
    return bytes(buf.tobytes())


@pytest.fixture(scope="session")
def scan_batch(tmp_path_factory: pytest.TempPathFactory) -> ScanBatch:
    """13 pages in 6 files: 10 marked mini forms (PDF of scanner JPEGs, G4 TIFF, JPEG; one upside down),
    a blank back, a photo that is not a form, and a re-scan of the first form."""
    work = tmp_path_factory.mktemp("render")
    folder = tmp_path_factory.mktemp("scans")
    t = load_template(MINI)
    copies = new_copies(10, seed=5)
    (work / "forms.pdf").write_bytes(render_pdf(t, copies))
    manifest = work / "forms.manifest.csv"
    write_manifest(t, copies, manifest)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", str(work / "forms.pdf"), str(work / "p")], check=True)
    boxes = {(b.field, b.value): b for b in layout_template(t).pages[0].boxes}
    truth: dict[str, dict[str, str]] = {}
    scans: list[np.ndarray] = []
    for i, (copy, pgm) in enumerate(zip(copies, sorted(work.glob("p-*.pgm")), strict=True)):
        with Image.open(pgm) as decoded:
            img = np.array(decoded.convert("L"))
        marks = {"A1": str(i % 2 + 1), "Q9_1": str(i % 5 + 1), "Q9_2": str((i + 2) % 5 + 1)}
        for field, value in marks.items():
            _cross(img, boxes[(field, value)])
        truth[copy.form_id] = marks
        scans.append(cv2.rotate(img, cv2.ROTATE_180) if i == 3 else img)
    canvas = Canvas(str(folder / "batch01.pdf"), invariant=1)
    for img in scans[:7]:
        size = (img.shape[1] / DPI * 72, img.shape[0] / DPI * 72)
        canvas.setPageSize(size)
        canvas.drawImage(ImageReader(io.BytesIO(_jpeg(img))), 0, 0, width=size[0], height=size[1])
        canvas.showPage()
    canvas.save()
    bits = [Image.fromarray(img).point(lambda v: 255 if v > 150 else 0).convert("1") for img in scans[7:9]]
    bits[0].save(folder / "batch02.tif", compression="group4", save_all=True, append_images=bits[1:],
                 dpi=(DPI, DPI))
    (folder / "batch03.jpg").write_bytes(_jpeg(scans[9]))
    rng = np.random.default_rng(3)
    blank = np.clip(rng.normal(245, 3, scans[0].shape), 0, 255).astype(np.uint8)
    (folder / "batch04-back.png").write_bytes(cv2.imencode(".png", blank)[1].tobytes())
    photo = cv2.resize(rng.integers(0, 255, (24, 18), dtype=np.uint8), (1200, 1600), interpolation=cv2.INTER_CUBIC)
    (folder / "batch05-photo.jpg").write_bytes(_jpeg(cv2.GaussianBlur(photo, (0, 0), 3)))
    (folder / "batch06-rescan.jpg").write_bytes(_jpeg(scans[0]))
    return ScanBatch(folder, manifest, truth, 13, folder / "batch06-rescan.jpg", folder / "batch05-photo.jpg",
                     folder / "batch04-back.png")
