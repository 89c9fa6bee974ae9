"""The fieldwork ledger: each drawn person's form, its current state and the history behind it.

One function changes a state, :func:`apply`, and it decides what is possible from the form's history
(:func:`check`). Re-applying a state a form already had on the same day changes nothing, so every
import can be re-run. A state earlier than the current one is accepted when it fills a gap the history
allows (the post's sheet arrives after the scans); one that contradicts the history (the post says
"unreachable" for a form already scanned) is refused with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldwork.ledger_schema import LEDGER_TABLES, NOT_REACHED, STAGE, STATES, FieldworkEvent, FieldworkForm
from omr.errors import InputFileError
from omr.store.db import Store
from omr.store.schema import Base, utcnow

Applied = Literal["applied", "unchanged"]
DOOR = ("delivered", *NOT_REACHED)
_NEEDS: dict[str, tuple[str, ...]] = {
    # a state is possible only after one of these (the form's history must hold one)
    "printed": ("drawn",),
    "handed": ("printed",),
    "delivered": ("printed", "handed", "unreachable"),  # a second attempt may reach them
    "unreachable": ("printed", "handed"),
    "refused": ("printed", "handed", "delivered"),  # at the door, or when the postman came to collect
    "moved": ("printed", "handed"),
    "collected": ("delivered",),
    "scanned": ("printed", "handed", "delivered", "collected"),  # scans prove it came back
    "verified": ("scanned",),
    "scored": ("verified",),
    "invalid": ("scanned", "verified", "scored"),
}
_EXCLUDES: dict[str, tuple[str, ...]] = {
    # a state impossible once the history holds any of these
    "delivered": ("refused", "moved"),
    "unreachable": ("delivered", "collected", "scanned", "verified", "scored", "invalid"),
    "refused": ("collected", "scanned", "verified", "scored", "invalid"),
    "moved": ("delivered", "collected", "scanned", "verified", "scored", "invalid"),
    "collected": ("refused", "moved"),
    "scored": ("invalid",),
    "invalid": ("scored",),
}


class TransitionError(InputFileError):
    """A state the form's history makes impossible; the message says why."""


@dataclass(frozen=True)
class Slot:
    """A drawn person's place: stratum, list and rank (no identity)."""

    stratum: str
    list: str
    rank: int


def open_ledger(store: Store) -> Store:
    """Create the ledger's tables in ``store`` when missing; returns the store."""
    Base.metadata.create_all(store.engine, tables=[Base.metadata.tables[t] for t in LEDGER_TABLES])
    return store


def check(history: Iterable[str], state: str) -> str | None:
    """Why ``state`` is impossible after ``history`` (the states a form had, oldest first), or None."""
    if state not in STATES:
        return f"unknown state {state!r}: use one of {', '.join(STATES)}"
    order = list(history)
    had = set(order)
    last_door = next((s for s in reversed(order) if s in DOOR), None)
    if state == "drawn":
        return None if not had or had == {"drawn"} else "a form cannot go back to drawn"
    clash = [s for s in _EXCLUDES.get(state, ()) if s in had]
    if clash:
        return f"the form is already {clash[0]}; it cannot also be {state}"
    if STAGE.get(state, 0) >= STAGE["collected"] and last_door in NOT_REACHED:
        return (f"the post reported the form {last_door}; it cannot be {state} unless the post records "
                "a delivery (a second attempt) first")
    need = _NEEDS[state]
    implied = {s for s in had for s in _implied(s)}
    if not (had | implied) & set(need):
        return f"{state} needs the form to be {' or '.join(need)} first (it is {_current(had) or 'nowhere yet'})"
    return None


def _implied(state: str) -> tuple[str, ...]:
    """States a later state proves happened (a scanned form was printed; a collected one delivered)."""
    if STAGE[state] >= STAGE["scanned"]:
        return ("drawn", "printed", "delivered", "collected")
    if state == "collected":
        return ("drawn", "printed", "delivered")
    return ("drawn", "printed") if STAGE[state] >= STAGE["printed"] else ()


def _current(had: set[str]) -> str | None:
    return max(had, key=lambda s: (STAGE[s], STATES.index(s))) if had else None


def _latest_current(states: Sequence[str]) -> str | None:
    """The current state of a history in order: the highest stage; among equals, the latest."""
    best: str | None = None
    for s in states:
        if best is None or STAGE[s] >= STAGE[best]:
            best = s
    return best


def history(session: Session, slot_id: int) -> list[FieldworkEvent]:
    """The slot's events, oldest first."""
    return list(session.scalars(select(FieldworkEvent).where(FieldworkEvent.slot_id == slot_id)
                                .order_by(FieldworkEvent.id)))


def histories(session: Session, slot_ids: Iterable[int]) -> dict[int, list[FieldworkEvent]]:
    """The events of many slots, oldest first (in chunks: one query per 500 slots)."""
    ids = list(dict.fromkeys(slot_ids))
    out: dict[int, list[FieldworkEvent]] = {i: [] for i in ids}
    for i in range(0, len(ids), 500):
        for e in session.scalars(select(FieldworkEvent).where(FieldworkEvent.slot_id.in_(ids[i:i + 500]))
                                 .order_by(FieldworkEvent.id)):
            out[e.slot_id].append(e)
    return out


def decide(had: Sequence[tuple[str, dt.date | None]], state: str, on: dt.date | None) -> Applied:
    """What recording ``state`` on ``on`` after the events ``had`` ((state, day), oldest first) does:
    ``unchanged`` when that state is already there (on that day, if a day is given), ``applied`` when
    possible; raises :class:`TransitionError` (without the form's name) when the history forbids it.

    A form is delivered twice only on a second attempt (its last door outcome was ``unreachable``);
    every other state happens once.
    """
    if any(s == state and (on is None or d is None or d == on) for s, d in had):
        return "unchanged"
    states = [s for s, _ in had]
    if state in states:
        last_door = next((s for s in reversed(states) if s in DOOR), None)
        if not (state == "delivered" and last_door == "unreachable"):
            first = next(d for s, d in had if s == state)
            raise TransitionError(f"already {state}{' on ' + first.isoformat() if first else ''}"
                                  f"{', not on ' + on.isoformat() if on else ''}")
    why = check(states, state)
    if why is not None:
        raise TransitionError(why)
    return "applied"


def apply(session: Session, form: FieldworkForm, state: str, *, on: dt.date | None, source: str, actor: str,
          reason: str | None = None, batch: int | None = None,
          events: list[FieldworkEvent] | None = None) -> Applied:
    """Record ``state`` for ``form`` (raises :class:`TransitionError` when the history forbids it).

    ``unchanged`` when the form already had that state (on that day, if a day is given): nothing written.
    ``events`` is the slot's history when the caller already has it (see :func:`histories`); the new
    event is appended to it.
    """
    if events is None:
        events = history(session, form.id)
    had = [e.state for e in events]
    try:
        outcome = decide([(e.state, e.on) for e in events], state, on)
    except TransitionError as exc:
        raise TransitionError(f"form {form.form_id or f'{form.stratum}/{form.list}/{form.rank}'}: {exc}") from None
    if outcome == "unchanged":
        return outcome
    event = FieldworkEvent(slot_id=form.id, form_id=form.form_id, state=state, on=on, source=source,
                           actor=actor, reason=reason, batch=batch, at=utcnow())
    session.add(event)
    events.append(event)
    if _latest_current([*had, state]) == state:
        form.state, form.state_on = state, on
        if reason is not None:
            form.reason = reason
    form.updated = utcnow()
    return "applied"


def load_draw(store: Store, survey: str, folder: Path, *, actor: str) -> int:
    """Add the slots of ``folder``'s official and reserve lists to the ledger (``drawn``); returns how
    many were new. Only stratum, list, rank, unit, group and the person key are read: no identity."""
    with store.session() as s:
        return add_slots(s, survey, folder, actor=actor)


def add_slots(session: Session, survey: str, folder: Path, *, actor: str) -> int:
    """:func:`load_draw` inside the caller's transaction (dispatch adds slots and prints them at once)."""
    new: list[FieldworkForm] = []
    known = {(f.stratum, f.list, f.rank) for f in session.scalars(select(FieldworkForm)
                                                                 .where(FieldworkForm.survey == survey))}
    for which in ("official", "reserve"):
        path = folder / f"{which}.csv"
        try:
            with path.open(encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as exc:
            raise InputFileError(f"{path}: no {which} list; run `sipas fieldwork draw` first") from exc
        for r in rows:
            try:
                key = (r["stratum"], which, int(r["rank"]))
                unit, group, person = r["unit"], r["group"], r["person"]
            except (KeyError, ValueError) as exc:
                raise InputFileError(f"{path}: not a list written by `sipas fieldwork draw` "
                                     f"(column or rank {exc} wrong); draw again") from exc
            if key in known:
                continue
            new.append(FieldworkForm(survey=survey, stratum=key[0], unit=unit, grp=group, list=which, rank=key[2],
                                     person=person, state="drawn"))
            known.add(key)
    session.add_all(new)
    session.flush()  # one flush for all: the slots get their ids
    session.add_all([FieldworkEvent(slot_id=f.id, state="drawn", source="draw", actor=actor, at=utcnow())
                     for f in new])
    return len(new)


def slot(session: Session, survey: str, key: Slot) -> FieldworkForm | None:
    """The ledger row of one drawn person, or None."""
    return session.scalars(select(FieldworkForm).where(
        FieldworkForm.survey == survey, FieldworkForm.stratum == key.stratum, FieldworkForm.list == key.list,
        FieldworkForm.rank == key.rank)).one_or_none()


def by_form_id(session: Session, form_ids: Iterable[str]) -> dict[str, FieldworkForm]:
    """Ledger rows by printed form id (ids not in the ledger are missing from the answer)."""
    ids = list(form_ids)
    out: dict[str, FieldworkForm] = {}
    for i in range(0, len(ids), 500):
        for f in session.scalars(select(FieldworkForm).where(FieldworkForm.form_id.in_(ids[i:i + 500]))):
            assert f.form_id is not None
            out[f.form_id] = f
    return out


def mark_printed(session: Session, form: FieldworkForm, form_id: str, route: str, *, source: str, actor: str,
                 on: dt.date | None = None, events: list[FieldworkEvent] | None = None) -> Applied:
    """Give ``form`` its printed form id and delivery route, and record ``printed``."""
    if form.form_id is not None and form.form_id != form_id:
        raise TransitionError(f"slot {form.stratum}/{form.list}/{form.rank} already has form {form.form_id}; "
                              f"it cannot also be printed as {form_id}")
    form.form_id, form.route = form_id, route
    return apply(session, form, "printed", on=on, source=source, actor=actor, events=events)
