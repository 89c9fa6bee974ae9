"""Record a dispatch in the ledger: the draw's slots, and each official form ``printed`` with its id and route.

A draw is dispatched once: printing it again would put a second form id on every official slot,
and two forms would be in circulation for one respondent. :func:`already_printed` is asked before
anything is rendered, and :func:`record_dispatch` checks again inside its transaction (two
dispatches at once). The forms manifest goes into the workspace store's ``forms`` table as
``sipas scan --manifest`` does, so the reading knows every printed form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from fieldwork.dispatch import DispatchResult
from fieldwork.ledger import add_slots, histories, mark_printed, open_ledger
from fieldwork.ledger_schema import FieldworkForm
from omr.errors import ConflictError, InputFileError
from omr.formid import display_form_id
from omr.store.db import Store
from omr.store.manifest import ManifestImport, import_manifest


class AlreadyDispatchedError(ConflictError):
    """The draw's official forms are printed already; the message names them."""


@dataclass(frozen=True)
class DispatchLedger:
    """What a dispatch added to the ledger and the store."""

    slots_added: int
    printed: int
    manifest: ManifestImport


def already_printed(store: Store, survey: str) -> tuple[str, ...]:
    """Form ids already printed for the survey's official slots, in slot order."""
    open_ledger(store)
    with store.session() as s:
        return tuple(s.scalars(select(FieldworkForm.form_id).where(
            FieldworkForm.survey == survey, FieldworkForm.list == "official", FieldworkForm.form_id.is_not(None))
            .order_by(FieldworkForm.stratum, FieldworkForm.rank)).all())  # type: ignore[arg-type]


def refuse_reprint(survey: str, printed: tuple[str, ...]) -> None:
    """Raise :class:`AlreadyDispatchedError` naming the forms when the draw was dispatched before."""
    if printed:
        shown = ", ".join(display_form_id(f) for f in printed[:5])
        more = f" and {len(printed) - 5} more" if len(printed) > 5 else ""
        raise AlreadyDispatchedError(
            f"survey {survey}: the official list was dispatched already ({len(printed)} forms: {shown}{more}); "
            "a second dispatch would print new form ids for the same people. Use the forms printed then "
            "(the dispatch folder), or start a new workspace for a new draw")


def record_dispatch(store: Store, survey: str, folder: Path, result: DispatchResult, *, actor: str) -> DispatchLedger:
    """Add ``folder``'s draw to the ledger and mark ``result``'s forms printed (one transaction), then
    import the forms manifest into the store."""
    open_ledger(store)
    with store.session() as s:
        added = add_slots(s, survey, folder, actor=actor)
        slots = {(f.stratum, f.rank): f for f in s.scalars(select(FieldworkForm).where(
            FieldworkForm.survey == survey, FieldworkForm.list == "official"))}
        ours = {p.form_id for p in result.printed}
        refuse_reprint(survey, tuple(sorted(f.form_id for f in slots.values()
                                            if f.form_id is not None and f.form_id not in ours)))
        s.flush()
        events = histories(s, [f.id for f in slots.values()])
        printed = 0
        for p in result.printed:
            form = slots.get((p.stratum, p.rank))
            if form is None:
                raise InputFileError(f"{folder / 'official.csv'}: no slot {p.stratum} rank {p.rank} in the ledger "
                                     "although the form was printed for it; was the list changed after the draw?")
            if mark_printed(s, form, p.form_id, p.route, source="dispatch", actor=actor,
                            events=events[form.id]) == "applied":
                printed += 1
    return DispatchLedger(added, printed, import_manifest(store, result.manifest))
