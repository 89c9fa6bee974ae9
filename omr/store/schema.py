"""The workspace database schema (SQLAlchemy 2, SQLite by default, PostgreSQL for several stations).

One row per input file and per input page (every page accounted for), per form, per answer, per
review item, per audit event and per user. Identities of respondents are never stored here: the
manifest brings only form ids and sample-unit codes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

COUNTED = ("read", "review")
"""Page outcomes that carry a form page (rejected and blank pages do not)."""
COUNTED_PAGE_INDEX = "uq_pages_counted_form_page"
"""Unique index: at most one counted page per (form id, page number), whichever station records it."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class InputFile(Base):
    """A scanned file given to ``sipas scan`` (identified by content hash, so re-runs add nothing)."""

    __tablename__ = "input_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer)
    page_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # pending | done | failed
    error: Mapped[str | None] = mapped_column(Text)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PageRow(Base):
    """One input page and what became of it: read | review | rejected | blank."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("file_id", "page_index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("input_files.id"))
    page_index: Mapped[int] = mapped_column(Integer)  # 0-based within the file
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[str | None] = mapped_column(String(32))
    form_id: Mapped[str | None] = mapped_column(String(16), index=True)
    page_number: Mapped[int | None] = mapped_column(Integer)
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    homography: Mapped[list[float] | None] = mapped_column(JSON)
    residual_px: Mapped[float | None] = mapped_column(Float)
    image_path: Mapped[str | None] = mapped_column(Text)  # aligned page image, relative to the workspace
    raw_image_path: Mapped[str | None] = mapped_column(Text)  # for unidentified / unaligned pages
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def counted_form_page() -> ColumnElement[bool]:
    """The pages that count as a form page: outcome read or review, form identified.

    The recorder looks for an earlier copy with exactly this condition, and the partial unique index
    :data:`COUNTED_PAGE_INDEX` enforces it, so the two can never disagree.
    """
    return and_(PageRow.outcome.in_(COUNTED), PageRow.form_id.is_not(None))


# Two stations (or two processes on one SQLite file) reading the same form page at the same moment
# both see "not recorded yet"; this index makes the second insert fail, and the recorder then records
# that copy as a duplicate. Created with the tables; `open_store` adds it to older workspaces.
COUNTED_PAGES_UNIQUE = Index(
    COUNTED_PAGE_INDEX, PageRow.form_id, PageRow.page_number, unique=True,
    sqlite_where=counted_form_page(), postgresql_where=counted_form_page(),
)


class FormRow(Base):
    """A printed form (from the manifest, or first seen in a scan)."""

    __tablename__ = "forms"
    form_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    template: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(32))
    pages_expected: Mapped[int] = mapped_column(Integer)
    units: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    in_manifest: Mapped[bool] = mapped_column(default=False)


class AnswerRow(Base):
    """The current value of one answer code of one form; ``revision`` guards concurrent edits."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("form_id", "field"), Index("ix_answers_status", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(ForeignKey("forms.form_id"))
    field: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text, default="")
    machine_value: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))  # auto | flagged | reviewed
    confidence: Mapped[float] = mapped_column(Float)
    reason: Mapped[str | None] = mapped_column(Text)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BoxRow(Base):
    """Every box reading (state, confidence, darkness) for overlays and bulk review."""

    __tablename__ = "boxes"
    __table_args__ = (Index("ix_boxes_page", "page_id"), Index("ix_boxes_field", "form_id", "field"))
    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    form_id: Mapped[str] = mapped_column(String(16))
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    darkness: Mapped[float] = mapped_column(Float)


class ReviewItem(Base):
    """Something a person must settle: a flagged field, an unidentified or an unaligned page."""

    __tablename__ = "review_items"
    __table_args__ = (Index("ix_review_status", "status", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))  # field | unidentified_page | unaligned_page
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    form_id: Mapped[str | None] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(64))
    question: Mapped[str | None] = mapped_column(String(64))  # grid / question code, to review in a row
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    lease_token: Mapped[str | None] = mapped_column(String(64))
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Every change made by a person or by a re-scan: who, when, old value, new value."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_form", "form_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    form_id: Mapped[str | None] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(64))
    page_id: Mapped[int | None] = mapped_column(Integer)
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A person who logs in to the review app."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | operator | reviewer | analyst
    password_hash: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(default=False)
    created: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
