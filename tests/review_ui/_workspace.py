"""A real review workspace for the tests: rendered forms, rasterised at 150 dpi, in SQLite.

Built once per session (about 2 s) and copied for each test that writes; for the PostgreSQL runs
the copy's rows go into a fresh schema of the test server (:func:`pg_schema`, :func:`copy_rows`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from sqlalchemy import Integer, create_engine, insert, make_url, select, text

from omr.render import new_copies, render_pdf
from omr.store.db import DB_FILENAME, open_store
from omr.store.schema import Base, FormRow, InputFile, PageRow, ReviewItem
from omr.template.load import load_template
from review_ui.geometry import PX_PER_MM
from review_ui.pagefix import marker_centres_mm
from review_ui.sample import build_sample_workspace, rasterise
from review_ui.users import add_user

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"
USERS = {"admin": "admin", "rev1": "reviewer", "rev2": "reviewer", "op": "operator", "ana": "analyst"}
SECRET = "test-secret-" + "x" * 40
PG_TIMEZONE = "Asia/Ho_Chi_Minh"


def password(name: str) -> str:
    return f"pw-{name}-123"


@dataclass(frozen=True)
class Built:
    workspace: Path
    form_ids: tuple[str, ...]
    unidentified_form: str
    unidentified_page: int
    unaligned_page: int
    unaligned_corners: tuple[tuple[float, float], ...]
    outside_page: int
    flagged: int
    db_url: str | None = None
    """The database when it is not the workspace's SQLite file (PostgreSQL runs)."""


def build(workspace: Path) -> Built:
    """Sample forms with flagged fields, one unidentified page, one unaligned page, one bad path."""
    store = open_store(workspace)
    t = load_template(MINI)
    sample = build_sample_workspace(store, t, forms=4, seed=7)
    for name, role in USERS.items():
        add_user(store, name, role, password(name))
    extra = new_copies(6, seed=99)[4:]  # two more forms: one comes back unidentified, one unaligned
    pages = rasterise(render_pdf(t, extra))
    raw_dir = workspace / "raw"
    raw_dir.mkdir()
    # unidentified: QR unreadable (we scribble over it), stored raw
    unident = pages[0].copy()
    cv2.rectangle(unident, (1000, 30), (1200, 200), 0, -1)
    cv2.imwrite(str(raw_dir / "unidentified.png"), unident)
    # unaligned: a phone-like perspective of the page
    h, w = pages[1].shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = np.array([[60, 40], [w - 20, 90], [w - 80, h - 30], [30, h - 70]], dtype=np.float32)
    warp = cv2.getPerspectiveTransform(src, dst)
    unaligned = cv2.warpPerspective(pages[1], warp, (w, h), borderValue=255)
    cv2.imwrite(str(raw_dir / "unaligned.png"), unaligned)
    centres = np.array([[x * PX_PER_MM, y * PX_PER_MM] for x, y in marker_centres_mm()],
                       dtype=np.float32).reshape(-1, 1, 2)
    corners = tuple((float(x), float(y)) for x, y in cv2.perspectiveTransform(centres, warp).reshape(-1, 2))
    outside = workspace.parent / f"{workspace.name}-outside.png"
    cv2.imwrite(str(outside), pages[0])
    with store.session() as s:
        f = InputFile(sha256="f" * 64, path="batch2.pdf", size=1, page_count=3, status="done")
        s.add(f)
        s.flush()
        for copy in extra:
            s.add(FormRow(form_id=copy.form_id, template=t.name, version=t.version, pages_expected=1,
                          units={}, in_manifest=True))
        p1 = PageRow(file_id=f.id, page_index=0, outcome="review", reason="QR unreadable",
                     raw_image_path="raw/unidentified.png")
        p2 = PageRow(file_id=f.id, page_index=1, outcome="review", reason="corner markers not found",
                     template=t.name, version=t.version, form_id=extra[1].form_id, page_number=1,
                     raw_image_path="raw/unaligned.png")
        p3 = PageRow(file_id=f.id, page_index=2, outcome="rejected", reason="test",
                     image_path=f"../{outside.name}", raw_image_path=str(outside))
        s.add_all([p1, p2, p3])
        s.flush()
        s.add(ReviewItem(kind="unidentified_page", page_id=p1.id, reason="QR unreadable"))
        s.add(ReviewItem(kind="unaligned_page", page_id=p2.id, form_id=extra[1].form_id,
                         reason="corner markers not found"))
        ids = (p1.id, p2.id, p3.id)
    store.engine.dispose()
    return Built(workspace, sample.form_ids, extra[0].form_id, ids[0], ids[1], corners, ids[2], sample.flagged)


def copy_workspace(built: Built, target: Path) -> Built:
    """A private copy of a built workspace (the SQLite file and images)."""
    shutil.copytree(built.workspace, target)
    outside = built.workspace.parent / f"{built.workspace.name}-outside.png"
    shutil.copy(outside, target.parent / f"{target.name}-outside.png")
    return dataclasses.replace(built, workspace=target)


@contextmanager
def pg_schema(server_url: str) -> Iterator[str]:
    """A fresh, empty schema on the PostgreSQL server; yields a URL whose search_path is that schema.

    The URL's sessions run in Vietnam time (as a server set up there would), so a time that is not
    converted to UTC shows up in the tests. The schema is dropped afterwards (everything using it
    must have disposed its engine by then).
    """
    name = f"review_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    try:
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{name}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={name} -ctimezone={PG_TIMEZONE}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as c:
            c.execute(text("SET LOCAL lock_timeout = '20s'"))
            c.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def _utc(value: object) -> object:
    """SQLite hands back naive datetimes (UTC by convention); PostgreSQL must get them as UTC."""
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def copy_rows(sqlite_file: Path, url: str) -> None:
    """Copy every row of a workspace's SQLite database into the empty database at ``url``.

    Tables are created first; integer-key sequences continue after the copied ids, so rows added
    later by the app get fresh ids.
    """
    src = create_engine(f"sqlite:///{sqlite_file}")
    dst = create_engine(url)
    try:
        Base.metadata.create_all(dst)
        with src.connect() as a, dst.begin() as b:
            for table in Base.metadata.sorted_tables:
                rows = [{k: _utc(v) for k, v in r._mapping.items()} for r in a.execute(select(table))]
                if rows:
                    b.execute(insert(table), rows)
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and isinstance(pk[0].type, Integer) and rows:
                    b.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                                   f"(SELECT max({pk[0].name}) FROM {table.name}))"))
    finally:
        src.dispose()
        dst.dispose()


def move_to_postgres(built: Built, url: str) -> Built:
    """The workspace with its database moved into the (empty) PostgreSQL schema at ``url``.

    The SQLite file is deleted, so nothing can quietly fall back to it.
    """
    db = built.workspace / DB_FILENAME
    copy_rows(db, url)
    for suffix in ("", "-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    return dataclasses.replace(built, db_url=url)
