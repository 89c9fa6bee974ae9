"""Where the fieldwork stands: counts per unit, stratum and postman, read from the ledger in one query.

Every count is a ``GROUP BY`` over ``fw_forms`` (one row per drawn person, its *current* state); the
few hundred groups it returns are summed here into units, strata, postmen and the total. No identity
is read (the ledger holds none). Column definitions: :class:`Counts` and docs/fieldwork-status.md.

The Ministry publishes three numbers per survey (2021: 30,000 forms issued, 28,439 returned, 28,372
valid); :class:`MinistryCounts` gives them in that form:

* **issued**: forms printed for respondents, less those replaced by a substitute's form (a sample
  place counts once, through its latest form);
* **returned**: forms the post collected (or that were scanned, which proves it);
* **valid**: forms counted in the indices (state ``scored``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func, select

from fieldwork.ledger import open_ledger
from fieldwork.ledger_schema import STAGE, FieldworkForm
from fieldwork.survey import Collection, Survey
from omr.errors import BadArgumentsError
from omr.store.db import Store

By = Literal["unit", "stratum", "postman"]
BY: tuple[By, ...] = ("unit", "stratum", "postman")


def _doc(text: str) -> Any:
    return dataclasses.field(metadata={"help": text})


def _from(stage: str) -> tuple[str, ...]:
    """States at ``stage`` or further along."""
    return tuple(s for s, n in STAGE.items() if n >= STAGE[stage])


HANDED = _from("handed")
RETURNED = _from("collected")
SCANNED = _from("scanned")
VERIFIED = _from("verified")
DELIVERED = ("delivered", *RETURNED)
AWAITING = ("handed", "delivered")
"""With the post, not collected yet: overdue after the collection date."""
UNDELIVERED = ("printed", "handed")
"""Printed, no answer from the door yet: late after the delivery date."""


@dataclass(frozen=True)
class Counts:
    """The counts of one row (a unit, a stratum, a postman or the total); see docs/fieldwork-status.md."""

    drawn_official: int = _doc("people on the official list (slots of list official)")
    reserve_used: int = _doc("reserve people brought in as substitutes (a reserve slot with a form or a "
                             "substitute_for)")
    forms_out: int = _doc("forms printed (official and substitutes): every slot past drawn")
    handed: int = _doc("forms handed to the post or further along (a delivered form was handed)")
    delivered: int = _doc("forms that reached the respondent: delivered now, or collected and beyond")
    unreachable: int = _doc("forms whose current state is unreachable")
    refused: int = _doc("forms whose current state is refused (at the door or at collection)")
    moved: int = _doc("forms whose current state is moved (the respondent moved away)")
    collected: int = _doc("forms returned: collected by the post, or scanned (which proves it came back)")
    awaiting: int = _doc("forms with the post and not collected yet (handed or delivered)")
    overdue: int = _doc("awaiting forms after the survey's collection.collect_by day (0 when the survey has no "
                        "collection dates)")
    late_delivery: int = _doc("printed or handed forms with no outcome at the door after collection.deliver_by "
                              "(0 without collection dates)")
    scanned: int = _doc("forms with at least one page read, or further along")
    verified: int = _doc("forms fully read with nothing left to review, or further along")
    valid: int = _doc("forms counted in the indices (state scored)")
    invalid: int = _doc("forms returned but not valid (state invalid, with a reason)")
    replaced: int = _doc("forms replaced by a substitute's form (replaced_by set)")
    issued: int = _doc("forms issued as the Ministry counts them: forms_out minus replaced")
    response_rate: float | None = _doc("collected / issued (null when nothing issued)")
    substitution_rate: float | None = _doc("reserve_used / drawn_official (null without official slots)")
    valid_rate: float | None = _doc("valid / collected (null when nothing returned)")


COUNT_FIELDS = tuple(f.name for f in dataclasses.fields(Counts) if f.type == "int")
"""The integer columns (summed across groups)."""
_SQL_FIELDS = tuple(n for n in COUNT_FIELDS if n not in ("overdue", "late_delivery", "issued"))


@dataclass(frozen=True)
class MinistryCounts:
    """Issued, returned and valid forms, as the Ministry publishes them."""

    issued: int = _doc("forms issued (printed, less those replaced by a substitute)")
    returned: int = _doc("forms returned (collected)")
    valid: int = _doc("forms valid (scored)")

    def line(self, lang: Literal["vi", "en"] = "vi") -> str:
        """``Phát ra 30.000 phiếu, thu về 28.439 phiếu, hợp lệ 28.372 phiếu`` (or the English)."""
        if lang == "en":
            return f"{self.issued:,} forms issued, {self.returned:,} returned, {self.valid:,} valid"
        i, r, v = (f"{n:,}".replace(",", ".") for n in (self.issued, self.returned, self.valid))
        return f"Phát ra {i} phiếu, thu về {r} phiếu, hợp lệ {v} phiếu"


@dataclass(frozen=True)
class StatusRow:
    """One row of a status table."""

    key: str = _doc("unit code, stratum (unit/group), postman name or route: the row's key")
    name: str = _doc("what the row is: unit name, field or village name, the postman, or `route: …` when no "
                     "postman is known")
    counts: Counts = _doc("the row's counts")


@dataclass(frozen=True)
class FieldworkStatus:
    """The status of a survey's fieldwork on a day (``sipas fieldwork status``, /fieldwork/status)."""

    survey: str = _doc("the survey's name (keys the ledger)")
    today: dt.date = _doc("the day overdue is judged on")
    unit: str | None = _doc("the unit the counts are limited to, or null for all")
    deliver_by: dt.date | None = _doc("the survey's collection.deliver_by, if set")
    collect_by: dt.date | None = _doc("the survey's collection.collect_by, if set")
    by_unit: tuple[StatusRow, ...] = _doc("one row per unit, in the survey's order")
    by_stratum: tuple[StatusRow, ...] = _doc("one row per stratum (field or village), in the survey's order")
    by_postman: tuple[StatusRow, ...] = _doc("one row per postman (per route while no postman is known)")
    total: Counts = _doc("the counts over every row")
    ministry: MinistryCounts = _doc("issued, returned, valid as the Ministry publishes them")
    notes: tuple[str, ...] = _doc("what the figures cannot say (no collection dates, empty ledger)")

    def rows(self, by: By) -> tuple[StatusRow, ...]:
        return {"unit": self.by_unit, "stratum": self.by_stratum, "postman": self.by_postman}[by]


@dataclass(frozen=True)
class UnitFigures:
    """One unit's fieldwork figures for the SIPAS report."""

    unit: str
    name: str
    issued: int
    returned: int
    valid: int
    response_rate: float | None
    substitution_rate: float | None
    valid_rate: float | None


@dataclass(frozen=True)
class FieldworkFigures:
    """The fieldwork section of the SIPAS report: the Ministry's three numbers, rates and units."""

    survey: str
    issued: int
    returned: int
    valid: int
    response_rate: float | None
    substitution_rate: float | None
    valid_rate: float | None
    substitutes: int
    units: tuple[UnitFigures, ...]


@dataclass(frozen=True)
class _Group:
    """One group of the query: a unit, a stratum group, a postman and a route, with its raw counts."""

    unit: str
    grp: str
    postman: str | None
    route: str | None
    raw: Mapping[str, int]


@functools.cache
def _classes(which: str, state: str, replaced: bool, substitute: bool) -> tuple[str, ...]:
    """The raw counts a slot adds to: its list, current state and substitution marks decide them all."""
    printed = state != "drawn"
    checks = {
        "drawn_official": which == "official",
        "reserve_used": which == "reserve" and (printed or substitute),
        "forms_out": printed,
        "handed": state in HANDED,
        "delivered": state in DELIVERED,
        "unreachable": state == "unreachable",
        "refused": state == "refused",
        "moved": state == "moved",
        "collected": state in RETURNED,
        "awaiting": state in AWAITING,
        "undelivered": state in UNDELIVERED,
        "scanned": state in SCANNED,
        "verified": state in VERIFIED,
        "valid": state == "scored",
        "invalid": state == "invalid",
        "replaced": replaced and printed,
    }
    return tuple(k for k, hit in checks.items() if hit)


def _groups(store: Store, survey: str, unit: str | None) -> list[_Group]:
    """The one query: slots per (unit, group, postman, route, list, state, replaced, substitute) of
    ``survey``, summed here into raw counts per (unit, group, postman, route)."""
    f = FieldworkForm
    keys = (f.unit, f.grp, f.postman, f.route, f.list, f.state, f.replaced_by.is_not(None),
            f.substitute_for.is_not(None))
    q = select(*keys, func.count()).where(f.survey == survey)
    if unit is not None:
        q = q.where(f.unit == unit)
    with store.session() as s:
        rows = s.execute(q.group_by(*keys)).all()
    raw: dict[tuple[str, str, str | None, str | None], dict[str, int]] = {}
    for u, g, postman, route, which, state, replaced, substitute, n in rows:
        into = raw.setdefault((u, g, postman, route), {})
        for k in _classes(which, state, bool(replaced), bool(substitute)):
            into[k] = into.get(k, 0) + int(n)
    return [_Group(*key, counts) for key, counts in raw.items()]


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _counts(raw: Mapping[str, int], *, overdue: bool, late: bool) -> Counts:
    n = {k: raw.get(k, 0) for k in _SQL_FIELDS}
    issued = n["forms_out"] - n["replaced"]
    return Counts(**n, overdue=raw.get("awaiting", 0) if overdue else 0,
                  late_delivery=raw.get("undelivered", 0) if late else 0, issued=issued,
                  response_rate=_ratio(n["collected"], issued),
                  substitution_rate=_ratio(n["reserve_used"], n["drawn_official"]),
                  valid_rate=_ratio(n["valid"], n["collected"]))


def _sum(groups: Iterable[_Group]) -> dict[str, int]:
    out: dict[str, int] = {}
    for g in groups:
        for k, v in g.raw.items():
            out[k] = out.get(k, 0) + v
    return out


def _postman_key(g: _Group) -> tuple[str, str]:
    if g.postman:
        return g.postman, g.postman
    if g.route:
        return f"route:{g.route}", f"route: {g.route}"
    return "", "(no form yet)"


@dataclass(frozen=True)
class Layout:
    """What the status needs of a survey: its name, units and strata in order with their names, and
    the post's deadlines. From the survey file (:func:`layout_of`), or from the ledger alone
    (:func:`ledger_layout`: codes for names, no deadlines)."""

    name: str
    units: tuple[tuple[str, str], ...]
    """(unit code, unit name), in the survey's order."""
    strata: tuple[tuple[str, str], ...]
    """(``unit/group`` key, field or village name), in the survey's order."""
    collection: Collection | None


def layout_of(survey: Survey) -> Layout:
    return Layout(survey.name, tuple((u.code, u.name) for u in survey.units),
                  tuple((f"{u.code}/{g.code}", g.name) for u in survey.units for g in survey.groups(u)),
                  survey.collection)


def ledger_layout(store: Store, name: str) -> Layout:
    """The layout of survey ``name`` as the ledger knows it: codes only, no collection dates."""
    f = FieldworkForm
    open_ledger(store)
    with store.session() as s:
        pairs = s.execute(select(f.unit, f.grp).where(f.survey == name).distinct()).all()
    units = sorted({u for u, _ in pairs})
    return Layout(name, tuple((u, u) for u in units), tuple((f"{u}/{g}", f"{u}/{g}") for u, g in sorted(pairs)),
                  None)


def ledger_surveys(store: Store) -> tuple[str, ...]:
    """The surveys the ledger holds forms of, the most recently changed first."""
    f = FieldworkForm
    open_ledger(store)
    with store.session() as s:
        rows = s.execute(select(f.survey, func.max(f.updated)).group_by(f.survey)).all()
    return tuple(r[0] for r in sorted(rows, key=lambda r: (r[1] is not None, r[1], r[0]), reverse=True))


def compute_status(store: Store, survey: Survey | Layout, *, today: dt.date,
                   unit: str | None = None) -> FieldworkStatus:
    """The fieldwork status of ``survey`` on ``today`` (limited to ``unit`` when given)."""
    lay = survey if isinstance(survey, Layout) else layout_of(survey)
    codes = [code for code, _ in lay.units]
    if unit is not None and unit not in codes:
        raise BadArgumentsError(f"unit {unit!r} is not in survey {lay.name}: use one of {', '.join(codes)}")
    open_ledger(store)
    groups = _groups(store, lay.name, unit)
    c = lay.collection
    overdue = c is not None and today > c.collect_by
    late = c is not None and today > c.deliver_by

    def counts(gs: Iterable[_Group]) -> Counts:
        return _counts(_sum(gs), overdue=overdue, late=late)

    names = dict(lay.units)
    strata = dict(lay.strata)
    unit_keys = [k for k in codes if unit in (None, k)]
    unit_keys += sorted({g.unit for g in groups} - set(unit_keys))
    stratum_keys = [k for k in strata if unit in (None, k.split("/")[0])]
    stratum_keys += sorted({f"{g.unit}/{g.grp}" for g in groups} - set(stratum_keys))
    per_unit: dict[str, list[_Group]] = {}
    per_stratum: dict[str, list[_Group]] = {}
    for g in groups:
        per_unit.setdefault(g.unit, []).append(g)
        per_stratum.setdefault(f"{g.unit}/{g.grp}", []).append(g)
    by_unit = tuple(StatusRow(k, names.get(k, k), counts(per_unit.get(k, ()))) for k in unit_keys)
    by_stratum = tuple(StatusRow(k, strata.get(k, k), counts(per_stratum.get(k, ()))) for k in stratum_keys)
    postmen: dict[tuple[str, str], list[_Group]] = {}
    for g in groups:
        postmen.setdefault(_postman_key(g), []).append(g)
    by_postman = tuple(StatusRow(k, label, counts(gs)) for (k, label), gs in
                       sorted(postmen.items(), key=lambda kv: (kv[0][0] == "", kv[0][0].startswith("route:"),
                                                               kv[0][0])))
    total = counts(groups)
    notes: list[str] = []
    if not groups:
        notes.append(f"the ledger holds no form of survey {lay.name}: load the draw into it first")
    if c is None:
        notes.append("overdue and late delivery are 0: the survey has no collection dates "
                     "(add collection: {deliver_by: …, collect_by: …} to the survey file)")
    return FieldworkStatus(lay.name, today, unit, c.deliver_by if c else None, c.collect_by if c else None,
                           by_unit, by_stratum, by_postman, total,
                           MinistryCounts(total.issued, total.collected, total.valid), tuple(notes))


def fieldwork_figures(store: Store, survey: Survey | str) -> FieldworkFigures | None:
    """The report's fieldwork figures for ``survey`` (a Survey, or its name), or None when the ledger
    holds none of its forms. Overdue does not enter the report, so no day is needed."""
    name = survey if isinstance(survey, str) else survey.name
    open_ledger(store)
    groups = _groups(store, name, None)
    if not groups:
        return None
    names = {} if isinstance(survey, str) else {u.code: u.name for u in survey.units}
    order = [] if isinstance(survey, str) else [u.code for u in survey.units]
    codes = [k for k in order if any(g.unit == k for g in groups)]
    codes += sorted({g.unit for g in groups} - set(codes))
    per_unit: dict[str, list[_Group]] = {}
    for g in groups:
        per_unit.setdefault(g.unit, []).append(g)
    units = []
    for k in codes:
        u = _counts(_sum(per_unit[k]), overdue=False, late=False)
        units.append(UnitFigures(k, names.get(k, k), u.issued, u.collected, u.valid, u.response_rate,
                                 u.substitution_rate, u.valid_rate))
    t = _counts(_sum(groups), overdue=False, late=False)
    return FieldworkFigures(name, t.issued, t.collected, t.valid, t.response_rate, t.substitution_rate,
                            t.valid_rate, t.reserve_used, tuple(units))


def parse_by(value: str) -> By:
    if value not in BY:
        raise BadArgumentsError(f"--by {value!r}: use one of {', '.join(BY)}")
    return value
