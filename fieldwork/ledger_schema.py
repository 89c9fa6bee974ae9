"""The fieldwork ledger's tables: every drawn person's form, its state and the history of its states.

They live in the workspace database beside the reading tables (same SQLAlchemy ``Base``), created by
:func:`fieldwork.ledger.open_ledger`, so ``omr`` itself knows nothing of fieldwork. They hold no
identity: a drawn person is a *slot* (stratum, list, rank), the names, addresses and phones stay
in the 0600 files under ``<workspace>/fieldwork``; postmen are staff, not respondents.

States, in the order a form lives them (``STAGE``):

``drawn``  on the official or reserve list, no form yet (reserve people until substituted in);
``printed``  a personalised form exists (dispatch, or a substitute's form);
``handed``  handed to the post;
``delivered`` | ``unreachable`` | ``refused`` | ``moved``  the post's outcome at the door;
``collected``  the post collected the filled form;
``scanned``  a page of it was read (from the reading tables);
``verified``  every page read and nothing left to review;
``scored``  counted in the indices (valid);
``invalid``  returned but not valid, with the reason.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from omr.store.schema import Base, utcnow

STATES = ("drawn", "printed", "handed", "delivered", "unreachable", "refused", "moved", "collected", "scanned",
          "verified", "scored", "invalid")
STAGE: dict[str, int] = {"drawn": 0, "printed": 1, "handed": 2, "delivered": 3, "unreachable": 3, "refused": 3,
                         "moved": 3, "collected": 4, "scanned": 5, "verified": 6, "scored": 7, "invalid": 7}
"""How far along a state is: the current state of a form is its event of the highest stage."""
NOT_REACHED = ("unreachable", "refused", "moved")
"""Door outcomes that call for a substitute from the reserve list."""
SOURCES = ("draw", "dispatch", "substitute", "post", "scan", "review", "score", "fieldwork", "verify")


class FieldworkForm(Base):
    """One drawn person (a slot) and, once printed, the form sent to them; ``state`` is the current one."""

    __tablename__ = "fw_forms"
    __table_args__ = (
        UniqueConstraint("survey", "stratum", "list", "rank"),
        Index("ix_fw_forms_state", "survey", "state"),
        Index("ix_fw_forms_unit", "survey", "unit", "grp"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    survey: Mapped[str] = mapped_column(String(64))  # the survey's name
    stratum: Mapped[str] = mapped_column(String(64))  # "<unit code>/<field or village code>"
    unit: Mapped[str] = mapped_column(String(32))
    grp: Mapped[str] = mapped_column(String(32))  # field (one-stop shop) or village (household) code
    list: Mapped[str] = mapped_column(String(8))  # official | reserve
    rank: Mapped[int] = mapped_column(Integer)  # order of drawing within the stratum's list, from 1
    person: Mapped[str] = mapped_column(String(80))  # the draw's person key (SHA-256 of name and phone): no identity
    form_id: Mapped[str | None] = mapped_column(String(16), unique=True)  # set when printed
    route: Mapped[str | None] = mapped_column(String(160))  # delivery route (village, or residence commune)
    postman: Mapped[str | None] = mapped_column(String(120))  # from the post's sheet
    state: Mapped[str] = mapped_column(String(16), default="drawn")
    state_on: Mapped[dt.date | None] = mapped_column(Date)  # the day the current state happened, when known
    substitute_for: Mapped[str | None] = mapped_column(String(16))  # the form id this one replaces
    replaced_by: Mapped[str | None] = mapped_column(String(16))  # the substitute's form id
    reason: Mapped[str | None] = mapped_column(Text)  # why invalid / not reached, as recorded
    updated: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FieldworkEvent(Base):
    """One state change of one slot: what, on which day, recorded when, by whom, from which source."""

    __tablename__ = "fw_events"
    __table_args__ = (Index("ix_fw_events_slot", "slot_id"), Index("ix_fw_events_form", "form_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(Integer)  # fw_forms.id
    form_id: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    on: Mapped[dt.date | None] = mapped_column(Date)  # the real-world day (post sheet), when known
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)  # when recorded
    source: Mapped[str] = mapped_column(String(16))  # one of SOURCES
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    batch: Mapped[int | None] = mapped_column(Integer)  # fw_imports.id of the import that made it


class FieldworkImport(Base):
    """A file imported into the ledger (post returns, verification outcomes), by content hash."""

    __tablename__ = "fw_imports"
    __table_args__ = (UniqueConstraint("survey", "kind", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    survey: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # returns | verify
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(Text)
    rows: Mapped[int] = mapped_column(Integer)
    applied: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class VerificationRow(Base):
    """A form drawn for re-verification (phúc tra) and, once called, what the respondent said."""

    __tablename__ = "fw_verifications"
    __table_args__ = (UniqueConstraint("survey", "form_id"), Index("ix_fw_verif_unit", "survey", "unit"))
    id: Mapped[int] = mapped_column(primary_key=True)
    survey: Mapped[str] = mapped_column(String(64))
    draw_seed: Mapped[int] = mapped_column(Integer)
    form_id: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16), default="pending")  # pending | reached | not-reached
    received: Mapped[bool | None] = mapped_column()  # did you receive the form
    self_filled: Mapped[bool | None] = mapped_column()  # did you fill it in yourself
    told_answers: Mapped[bool | None] = mapped_column()  # did anyone tell you what to answer
    collected_on_day: Mapped[bool | None] = mapped_column()  # was it collected on the day agreed
    note: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(default=False)  # interference reported
    entered_by: Mapped[str | None] = mapped_column(String(64))
    entered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


LEDGER_TABLES = ("fw_forms", "fw_events", "fw_imports", "fw_verifications")
"""The ledger's table names (created by :func:`fieldwork.ledger.open_ledger`)."""
