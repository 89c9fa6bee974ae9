"""Substitution: an official respondent the post did not reach is replaced by the next reserve person.

For every form in the sample (an official one, or a substitute already sent) whose door outcome is
``unreachable``, ``refused`` or ``moved`` and that has no substitute yet, the next reserve person of
the same stratum is taken, in the reserve list's rank order, while the survey's ``substitution``
limit allows (:class:`fieldwork.survey.Substitution`). Both slots record it (``replaced_by`` on the
replaced form, ``substitute_for`` on the substitute) with an event naming the reason and who did it
(source ``substitute``). A stratum whose reserve is exhausted or whose limit is reached is reported
(:class:`Shortfall`), never skipped in silence.

The substitutes' personalised forms are printed by :func:`fieldwork.dispatch.dispatch` into
``<fieldwork>/substitutions/<batch>/`` (``forms/`` and ``identities/``, 0700/0600, with the delivery
list); the substitute's slot becomes ``printed`` with its new form id. The ledger is changed in one
transaction after the forms are printed; a run with nothing new to do writes nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import select

from fieldwork.dispatch import DispatchResult, PrintedForm, dispatch
from fieldwork.draw_io import LIST_COLUMNS
from fieldwork.ledger import TransitionError, apply
from fieldwork.ledger_schema import NOT_REACHED, FieldworkEvent, FieldworkForm
from fieldwork.private import write_private
from fieldwork.survey import Survey
from omr.errors import ConflictError, InputFileError
from omr.store.db import Store
from omr.store.manifest import import_manifest

SOURCE = "substitute"
SUBSTITUTIONS = "substitutions"


@dataclass(frozen=True)
class Substituted:
    """One substitution: the form replaced, why, and the reserve person (rank) and form that replace it."""

    stratum: str
    replaced: str  # form id of the form not reached
    outcome: str  # unreachable | refused | moved
    reserve_rank: int
    form_id: str  # the substitute's new form id


@dataclass(frozen=True)
class Shortfall:
    """A form not reached that could not be replaced, and why."""

    stratum: str
    form_id: str
    outcome: str
    why: Literal["reserve exhausted", "limit reached"]
    limit: int
    used: int


@dataclass(frozen=True)
class SubstituteResult:
    substitutions: tuple[Substituted, ...]
    shortfalls: tuple[Shortfall, ...]
    folder: Path | None  # the batch folder (None when nothing was printed)
    printed: DispatchResult | None


@dataclass(frozen=True)
class _Pick:
    replaced: int  # slot id
    reserve: int  # slot id


def substitute(store: Store, survey: Survey, folder: Path, *, actor: str, form_seed: int | None = None,
               on: dt.date | None = None) -> SubstituteResult:
    """Replace the forms not reached in ``survey``'s ledger; ``folder`` is the fieldwork folder (it holds
    ``reserve.csv``; the batch goes to ``folder/substitutions/<n>``). ``on``: the day (default today)."""
    day = on or dt.date.today()
    with store.session() as s:
        slots = list(s.scalars(select(FieldworkForm).where(FieldworkForm.survey == survey.name)))
        picks, shortfalls = _plan(survey, slots)
        by_id = {f.id: f for f in slots}
        chosen = [by_id[p.reserve] for p in picks]
    if not picks:
        return SubstituteResult((), tuple(shortfalls), None, None)
    reserve = _reserve_rows(folder / "reserve.csv", chosen)
    batch = _next_batch(folder / SUBSTITUTIONS)
    final = folder / SUBSTITUTIONS / f"{batch:03d}"
    partial = final.with_name(f".partial-{batch:03d}")
    shutil.rmtree(partial, ignore_errors=True)
    renamed = False

    def publish() -> None:
        nonlocal renamed
        partial.rename(final)
        renamed = True

    try:
        printed = _print(survey, reserve, partial, _batch_seed(form_seed, batch))
        done = _record(store, picks, printed.printed, actor=actor, day=day, publish=publish)
    except BaseException:
        shutil.rmtree(final if renamed else partial, ignore_errors=True)
        raise
    printed = _moved(printed, partial, final)
    import_manifest(store, printed.manifest)  # the reading knows the new forms (as after dispatch)
    return SubstituteResult(tuple(done), tuple(shortfalls), final, printed)


def _plan(survey: Survey, slots: Sequence[FieldworkForm]) -> tuple[list[_Pick], list[Shortfall]]:
    """Which reserve slot replaces which form, stratum by stratum, in rank order, within the limit."""
    picks: list[_Pick] = []
    shortfalls: list[Shortfall] = []
    strata: dict[str, list[FieldworkForm]] = {}
    for f in slots:
        strata.setdefault(f.stratum, []).append(f)
    for stratum in sorted(strata):
        members = strata[stratum]
        official = sum(1 for f in members if f.list == "official")
        reserves = sorted((f for f in members if f.list == "reserve"), key=lambda f: f.rank)
        limit = survey.substitution.limit(official, len(reserves))
        used = sum(1 for f in reserves if f.substitute_for is not None)
        free = [f for f in reserves if f.substitute_for is None and f.form_id is None and f.state == "drawn"]
        pending = sorted((f for f in members if f.form_id is not None and f.state in NOT_REACHED
                          and f.replaced_by is None), key=lambda f: (f.list != "official", f.rank))
        for f in pending:
            assert f.form_id is not None
            if used >= limit or not free:
                why: Literal["reserve exhausted", "limit reached"] = "limit reached" if used >= limit and free \
                    else "reserve exhausted"
                shortfalls.append(Shortfall(stratum, f.form_id, f.state, why, limit, used))
                continue
            picks.append(_Pick(f.id, free.pop(0).id))
            used += 1
    return picks, shortfalls


def _reserve_rows(path: Path, chosen: Sequence[FieldworkForm]) -> list[dict[str, str]]:
    """The identity rows of the chosen reserve slots, checked against the ledger's person keys."""
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            rows = {(r["stratum"], int(r["rank"])): r for r in csv.DictReader(fh)}
    except (OSError, KeyError, ValueError) as exc:
        raise InputFileError(f"{path}: cannot read the reserve list ({exc}); give --out the folder of "
                             "`sipas fieldwork draw`") from exc
    out = []
    for f in chosen:
        row = rows.get((f.stratum, f.rank))
        if row is None or row.get("person") != f.person:
            raise ConflictError(f"{path}: reserve {f.stratum} rank {f.rank} "
                                f"{'is missing' if row is None else 'is another person than the ledger holds'}; "
                                "the list is not the one loaded into the ledger (re-run the draw's load)")
        out.append(row)
    return out


def _next_batch(root: Path) -> int:
    done = [int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit()] if root.is_dir() else []
    return max(done, default=0) + 1


def _batch_seed(form_seed: int | None, batch: int) -> int | None:
    """Form ids reproducible from ``form_seed``, yet not those dispatch drew from the same seed."""
    if form_seed is None:
        return None
    digest = hashlib.sha256(f"sipas-substitution/{form_seed}/{batch}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _print(survey: Survey, reserve: list[dict[str, str]], dest: Path, seed: int | None) -> DispatchResult:
    """Forms and delivery lists for the substitutes (dispatch's path), in the order of ``reserve``."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=LIST_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerows(reserve)
    ids_dir = dest / "identities"
    ids_dir.mkdir(parents=True, exist_ok=True)
    ids_dir.chmod(0o700)
    people = ids_dir / "substitutes.csv"
    write_private(people, buf.getvalue().encode("utf-8"))
    result = dispatch(survey, people, dest, seed)
    if [(p.stratum, p.rank) for p in result.printed] != [(r["stratum"], int(r["rank"])) for r in reserve]:
        raise ConflictError(f"{result.manifest}: {len(result.printed)} forms printed for {len(reserve)} substitutes")
    return result


def _record(store: Store, picks: Sequence[_Pick], printed: Sequence[PrintedForm], *, actor: str, day: dt.date,
            publish: Callable[[], None]) -> list[Substituted]:
    """Write the substitutions into the ledger in one transaction (``publish`` runs just before it commits)."""
    done: list[Substituted] = []
    with store.session() as s:
        taken = set(s.scalars(select(FieldworkForm.form_id).where(
            FieldworkForm.form_id.in_([p.form_id for p in printed]))))
        if taken:
            raise ConflictError(f"form id(s) {', '.join(sorted(str(t) for t in taken))} already in the ledger; "
                                "run substitute again (with another --form-seed)")
        for pick, form in zip(picks, printed, strict=True):
            old, new = s.get(FieldworkForm, pick.replaced), s.get(FieldworkForm, pick.reserve)
            assert old is not None and new is not None and old.form_id is not None
            assert (new.stratum, new.rank) == (form.stratum, form.rank)
            form_id = form.form_id
            if old.replaced_by is not None or new.form_id is not None or new.state != "drawn":
                raise TransitionError(f"form {old.form_id}: substituted by another run meanwhile; run again")
            why = f"{old.state}: replaced by {form_id} (reserve rank {new.rank})"
            old.replaced_by = form_id
            s.add(FieldworkEvent(slot_id=old.id, form_id=old.form_id, state=old.state, on=old.state_on,
                                 source=SOURCE, actor=actor, reason=why))
            new.form_id, new.route, new.substitute_for = form_id, form.route, old.form_id
            kept = new.reason
            apply(s, new, "printed", on=day, source=SOURCE, actor=actor,
                  reason=f"substitute for {old.form_id} ({old.state}), reserve rank {new.rank}")
            new.reason = kept
            done.append(Substituted(old.stratum, old.form_id, old.state, new.rank, form_id))
        s.flush()
        publish()
    return done


def _moved(result: DispatchResult, old: Path, new: Path) -> DispatchResult:
    def at(p: Path) -> Path:
        return new / p.relative_to(old)

    return dataclasses.replace(result, forms_pdf=at(result.forms_pdf), manifest=at(result.manifest),
                               delivery_xlsx=at(result.delivery_xlsx), delivery_pdf=at(result.delivery_pdf),
                               labels_pdf=at(result.labels_pdf))
