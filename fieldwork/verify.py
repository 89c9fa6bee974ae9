"""Re-verification (phúc tra): a verifiable random subsample of returned forms per unit, called by monitors.

Algorithm ``sipas-verify-draw`` version 1 (the idea of :mod:`fieldwork.draw`, per unit):

1. the eligible forms of a unit are those of the survey whose state is ``collected`` or later
   (``ELIGIBLE``) and that no draw with *another* seed has taken yet, sorted by form id;
2. each unit has its own generator: PCG64 seeded by ``SeedSequence(seed, spawn_key=K)`` where ``K``
   is the first four big-endian 32-bit words of SHA-256 of ``"verify:" + unit code`` (the prefix keeps
   these streams apart from the draw's, even with the same seed);
3. one ``random_raw`` output per form in form-id order; forms sorted by (output, form id);
4. the first ``k = max(min_per_unit, ceil(share × eligible))`` (at most all of them) are chosen.

Drawing again with the same seed re-uses that seed's record and adds nothing; a draw with another
seed samples the forms not drawn yet (e.g. collected since) and adds them.
The record (:func:`record`) lists the eligible form ids (no identity) with their hashes, so anyone can
re-run it (:func:`verify_record`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldwork.draw import stratum_spawn_key
from fieldwork.errors import DrawMismatchError
from fieldwork.ledger_schema import FieldworkEvent, FieldworkForm, VerificationRow
from omr.errors import BadArgumentsError, ConflictError, InputFileError, NotFoundError
from omr.store.schema import AuditEvent, utcnow

ALGORITHM = "sipas-verify-draw"
VERSION = 1
FORMAT = "sipas-verify-draw-record/1"
ELIGIBLE = ("collected", "scanned", "verified", "scored")
"""States of a form that came back filled: the population of re-verification."""
OUTCOMES = ("pending", "reached", "not-reached")
QUESTIONS = ("received", "self_filled", "told_answers", "collected_on_day")
"""The four check questions, in the order of the call sheet."""


@dataclass(frozen=True)
class UnitDraw:
    """One unit's eligible forms (sorted by form id) and the chosen ones (in drawing order)."""

    unit: str
    eligible: tuple[str, ...]
    chosen: tuple[str, ...]


@dataclass(frozen=True)
class VerifyDraw:
    seed: int
    share: Decimal
    min_per_unit: int
    units: tuple[UnitDraw, ...]

    @property
    def chosen(self) -> tuple[tuple[str, str], ...]:
        """(unit, form id) of every chosen form, units in code order."""
        return tuple((u.unit, f) for u in self.units for f in u.chosen)


@dataclass(frozen=True)
class Outcome:
    """What a monitor recorded for one call: not reached, or the four answers (None = not asked)."""

    reached: bool
    received: bool | None = None
    self_filled: bool | None = None
    told_answers: bool | None = None
    collected_on_day: bool | None = None
    note: str | None = None


@dataclass(frozen=True)
class UnitVerification:
    """A unit's re-verification so far."""

    survey: str
    unit: str
    drawn: int
    called: int
    reached: int
    flagged: int


def parse_share(text: str) -> Decimal:
    """``"5%"`` or ``"0.05"`` → ``Decimal("0.05")``; refuses anything outside (0, 1]."""
    raw = text.strip()
    try:
        value = Decimal(raw[:-1].strip()) / 100 if raw.endswith("%") else Decimal(raw)
    except InvalidOperation as exc:
        raise BadArgumentsError(f"--share {text!r}: write a percentage (5%) or a fraction (0.05)") from exc
    if not value.is_finite() or not 0 < value <= 1:
        raise BadArgumentsError(f"--share {text!r}: must be above 0 and at most 100% (1); "
                                "write 5% or 0.05 for five per cent")
    return value.normalize()


def sample_size(eligible: int, share: Decimal, min_per_unit: int) -> int:
    return min(eligible, max(min_per_unit, math.ceil(share * eligible)))


def choose(form_ids: Sequence[str], seed: int, unit: str, share: Decimal, min_per_unit: int) -> tuple[str, ...]:
    """The chosen forms of one unit (steps 1–4 of the module doc), in drawing order."""
    canon = sorted(set(form_ids))
    bits = np.random.PCG64(np.random.SeedSequence(seed, spawn_key=stratum_spawn_key(f"verify:{unit}")))
    keys = bits.random_raw(len(canon)).tolist() if canon else []
    order = [f for _, f in sorted(zip(keys, canon, strict=True))]
    return tuple(order[:sample_size(len(canon), share, min_per_unit)])


def draw(eligible: Mapping[str, Sequence[str]], seed: int, share: Decimal, min_per_unit: int = 1) -> VerifyDraw:
    """Draw every unit of ``eligible`` (unit code → form ids)."""
    if min_per_unit < 0:
        raise BadArgumentsError(f"--min-per-unit {min_per_unit}: must be 0 or more")
    units = tuple(UnitDraw(u, tuple(sorted(set(ids))), choose(ids, seed, u, share, min_per_unit))
                  for u, ids in sorted(eligible.items()))
    return VerifyDraw(seed, share, min_per_unit, units)


def eligible_forms(session: Session, survey: str, seed: int) -> dict[str, list[str]]:
    """Unit → form ids of returned forms not yet drawn for re-verification by another seed."""
    taken = set(session.scalars(select(VerificationRow.form_id).where(
        VerificationRow.survey == survey, VerificationRow.draw_seed != seed)))
    out: dict[str, list[str]] = defaultdict(list)
    rows = session.execute(select(FieldworkForm.unit, FieldworkForm.form_id).where(
        FieldworkForm.survey == survey, FieldworkForm.state.in_(ELIGIBLE), FieldworkForm.form_id.is_not(None)))
    for unit, form_id in rows:
        if form_id is not None and form_id not in taken:
            out[unit].append(form_id)
    return {u: sorted(ids) for u, ids in out.items()}


def _sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _ids_hash(ids: Sequence[str]) -> str:
    return _sha("".join(f"{f}\n" for f in ids))


def chosen_hash(d: VerifyDraw) -> str:
    return _sha("".join(f"{u},{f}\n" for u, f in d.chosen))


def record(survey: str, d: VerifyDraw, drawn_at: dt.datetime) -> dict[str, Any]:
    """The draw's record: no identity, only form ids and their hashes."""
    return {
        "format": FORMAT,
        "algorithm": ALGORITHM,
        "algorithm_version": VERSION,
        "method": "per unit: eligible form ids sorted; PCG64(SeedSequence(seed, spawn_key=SHA-256('verify:'+unit)"
                  "[:16] as 4 uint32)); one random_raw per form in form-id order; sort by (value, form id); "
                  "first max(min_per_unit, ceil(share*eligible)) chosen",
        "numpy": np.__version__,
        "survey": survey,
        "seed": d.seed,
        "share": str(d.share),
        "min_per_unit": d.min_per_unit,
        "eligible_states": list(ELIGIBLE),
        "drawn_at": drawn_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "chosen_hash": chosen_hash(d),
        "totals": {"eligible": sum(len(u.eligible) for u in d.units), "chosen": len(d.chosen)},
        "units": [{"unit": u.unit, "eligible": len(u.eligible), "eligible_hash": _ids_hash(u.eligible),
                   "chosen": len(u.chosen), "chosen_hash": _ids_hash(u.chosen),
                   "eligible_forms": list(u.eligible), "chosen_forms": list(u.chosen)} for u in d.units],
    }


def record_bytes(rec: Mapping[str, Any]) -> bytes:
    return (json.dumps(rec, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def record_path(folder: Path, seed: int) -> Path:
    """Where the record of ``seed`` lives: ``<fieldwork>/verify/verify-draw-<seed>.json``."""
    return folder / "verify" / f"verify-draw-{seed}.json"


def read_record(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputFileError(f"{path}: cannot read the verification draw record: {exc}") from exc
    if data.get("format") != FORMAT:
        raise InputFileError(f"{path}: not a record written by `sipas fieldwork verify draw`")
    return data


def from_record(rec: Mapping[str, Any]) -> VerifyDraw:
    """Re-run the draw from a record's seed, share, minimum and eligible forms."""
    try:
        eligible = {str(u["unit"]): [str(f) for f in u["eligible_forms"]] for u in rec["units"]}
        return draw(eligible, int(rec["seed"]), parse_share(str(rec["share"])), int(rec["min_per_unit"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputFileError(f"the verification draw record lacks {exc}; it was not written by this version") from exc


def verify_record(recorded: Mapping[str, Any], session: Session) -> list[str]:
    """What differs between a recorded draw, its re-run and the ledger (empty: it verifies)."""
    diffs: list[str] = []
    if recorded.get("algorithm") != ALGORITHM or recorded.get("algorithm_version") != VERSION:
        diffs.append(f"algorithm {recorded.get('algorithm')} v{recorded.get('algorithm_version')} is not "
                     f"{ALGORITHM} v{VERSION}")
    d = from_record(recorded)
    rerun = record(str(recorded.get("survey")), d, dt.datetime.fromisoformat(str(recorded["drawn_at"])))
    for key in ("chosen_hash", "totals", "units"):
        if recorded.get(key) != rerun.get(key):
            diffs.append(f"{key}: recorded {_short(recorded.get(key))}, re-run {_short(rerun.get(key))}")
    diffs += _against_ledger(session, str(recorded["survey"]), d, dt.datetime.fromisoformat(str(recorded["drawn_at"])))
    return diffs


def _against_ledger(session: Session, survey: str, d: VerifyDraw, drawn_at: dt.datetime) -> list[str]:
    """Every recorded eligible form is a returned form of its unit; none returned by then was left out;
    every chosen form is in fw_verifications with this seed."""
    diffs: list[str] = []
    forms = {f.form_id: f for f in session.scalars(select(FieldworkForm).where(
        FieldworkForm.survey == survey, FieldworkForm.form_id.is_not(None)))}
    recorded = {f: u.unit for u in d.units for f in u.eligible}
    for form_id, unit in sorted(recorded.items()):
        f = forms.get(form_id)
        if f is None or f.unit != unit or f.state not in (*ELIGIBLE, "invalid"):
            diffs.append(f"form {form_id}: in the record as returned in unit {unit}, but the ledger has "
                         f"{'no such form' if f is None else f'{f.state} in unit {f.unit}'}")
    others = set(session.scalars(select(VerificationRow.form_id).where(
        VerificationRow.survey == survey, VerificationRow.draw_seed != d.seed)))
    cutoff = drawn_at.astimezone(dt.UTC)
    returned_by = session.execute(select(FieldworkEvent.form_id, FieldworkEvent.at).where(
        FieldworkEvent.state.in_(ELIGIBLE), FieldworkEvent.form_id.in_(list(forms))))
    for fid, at in returned_by:
        at_utc = at.astimezone(dt.UTC) if at.tzinfo else at.replace(tzinfo=dt.UTC)
        if fid is not None and at_utc < cutoff and fid not in recorded and fid not in others:
            diffs.append(f"form {fid}: returned before the draw ({at_utc:%Y-%m-%d %H:%M}) but not in its record")
            recorded[fid] = "?"  # once per form
    saved = {f: seed for f, seed in session.execute(select(VerificationRow.form_id, VerificationRow.draw_seed)
                                                     .where(VerificationRow.survey == survey))}
    for unit, form_id in d.chosen:
        if saved.get(form_id) != d.seed:
            diffs.append(f"form {form_id} (unit {unit}): chosen, but not in the verification list with seed {d.seed}")
    return diffs


def require_same(diffs: list[str], path: Path) -> None:
    if diffs:
        raise DrawMismatchError(f"{path}: the verification draw does not verify:\n  " + "\n  ".join(diffs))


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def save_draw(session: Session, survey: str, d: VerifyDraw, *, actor: str) -> int:
    """Put the chosen forms into fw_verifications (pending); returns how many were new."""
    known = set(session.scalars(select(VerificationRow.form_id).where(VerificationRow.survey == survey)))
    added = 0
    for unit, form_id in d.chosen:
        if form_id in known:
            continue
        session.add(VerificationRow(survey=survey, draw_seed=d.seed, form_id=form_id, unit=unit, outcome="pending",
                                    flagged=False))
        added += 1
    session.add(AuditEvent(at=utcnow(), actor=actor, action="verify-draw", field=survey[:64],
                           new=f"seed {d.seed}, share {d.share}: {added} forms added"))
    return added


def interference(o: Outcome) -> tuple[str, ...]:
    """Why this call reports interference (empty: none). Every drawn form came back filled, so a
    respondent who never received one is interference too."""
    why = []
    if o.reached and o.told_answers is True:
        why.append("someone told the respondent what to answer")
    if o.reached and o.self_filled is False:
        why.append("the respondent did not fill the form in")
    if o.reached and o.received is False:
        why.append("the respondent never received the form, yet it came back filled")
    return tuple(why)


def check_outcome(o: Outcome) -> str | None:
    """Why an outcome cannot be recorded, or None."""
    answers = [getattr(o, q) for q in QUESTIONS]
    if not o.reached and any(a is not None for a in answers):
        return "not reached, yet answers are given: leave the answers empty or untick 'not reached'"
    if o.reached and all(a is None for a in answers):
        return "no answer given: tick yes or no for at least one question, or 'not reached'"
    return None


def _fmt(o: Outcome | None) -> str | None:
    if o is None:
        return None
    if not o.reached:
        return "not-reached" + (f"; {o.note}" if o.note else "")
    yn = {True: "yes", False: "no", None: "-"}
    return ", ".join(f"{q}={yn[getattr(o, q)]}" for q in QUESTIONS) + (f"; {o.note}" if o.note else "")


def stored_outcome(row: VerificationRow) -> Outcome | None:
    if row.outcome == "pending":
        return None
    return Outcome(row.outcome == "reached", row.received, row.self_filled, row.told_answers, row.collected_on_day,
                   row.note)


def find(session: Session, form_id: str, survey: str | None = None) -> VerificationRow:
    q = select(VerificationRow).where(VerificationRow.form_id == form_id)
    if survey is not None:
        q = q.where(VerificationRow.survey == survey)
    row = session.scalars(q).first()
    if row is None:
        raise NotFoundError(f"form {form_id} was not drawn for re-verification"
                            f"{' in survey ' + survey if survey else ''}; see `sipas fieldwork verify draw`")
    return row


def record_outcome(session: Session, row: VerificationRow, o: Outcome, *, actor: str,
                   overwrite: bool) -> Literal["applied", "unchanged"]:
    """Store a call's outcome (audited; a flag is an audit event of its own).

    ``overwrite=False`` (imports) refuses to change an outcome already entered differently.
    """
    why = check_outcome(o)
    if why is not None:
        raise BadArgumentsError(f"form {row.form_id}: {why}")
    old = stored_outcome(row)
    if old == o:
        return "unchanged"
    if old is not None and not overwrite:
        raise ConflictError(f"form {row.form_id}: already entered by {row.entered_by} ({_fmt(old)}); "
                            "correct it in the web app (/fieldwork/verify)")
    was_flagged = row.flagged
    row.outcome = "reached" if o.reached else "not-reached"
    row.received, row.self_filled, row.told_answers, row.collected_on_day = (
        o.received, o.self_filled, o.told_answers, o.collected_on_day)
    row.note = o.note or None
    row.entered_by, row.entered_at = actor, utcnow()
    why_flag = interference(o)
    row.flagged = bool(why_flag)
    session.add(AuditEvent(at=utcnow(), actor=actor, action="verify-call", form_id=row.form_id, field=row.unit[:64],
                           old=_fmt(old), new=_fmt(o)))
    if row.flagged != was_flagged:
        session.add(AuditEvent(at=utcnow(), actor=actor, action="verify-flag" if row.flagged else "verify-unflag",
                               form_id=row.form_id, field=row.unit[:64], new="; ".join(why_flag) or None))
    return "applied"


def unit_summary(session: Session, survey: str | None = None) -> tuple[UnitVerification, ...]:
    """Per survey and unit: forms drawn for re-verification, called, reached and flagged."""
    q = select(VerificationRow)
    if survey is not None:
        q = q.where(VerificationRow.survey == survey)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in session.scalars(q):
        c = counts[(r.survey, r.unit)]
        c[0] += 1
        c[1] += r.outcome != "pending"
        c[2] += r.outcome == "reached"
        c[3] += bool(r.flagged)
    return tuple(UnitVerification(s, u, *c) for (s, u), c in sorted(counts.items()))
