"""The results of ``sipas score`` as a pydantic model, written to and read from ``results.json``.

``results.json`` is what a later year's ``sipas score --previous`` compares against, so its shape
is a contract: ``schema`` names the version; values are unrounded percentages (0–100) or null
when an indicator has no valid answer; rounding happens only for display.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from omr.errors import InputFileError

RESULTS_SCHEMA = "sipas-results/2"
"""Version 2 added intervals, the unit scheme, the respondent profile, opinions and fieldwork;
a version-1 file still reads (the new fields take their defaults)."""
IndicatorKind = Literal["item", "element", "aspect", "overall"]
ShareGroup = Literal["perception", "expectation", "general"]
"""``general``: the instrument's own overall-satisfaction question (2019: Q8), not an index."""
Regrouped = Literal["pooled", "weighted"]
"""How results of a 63-province year were put onto the 34 provinces of 2025: ``pooled`` from the
forms (exact), ``weighted`` = each new province the forms-weighted mean of the old ones."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Indicator(_Frozen):
    """A satisfaction indicator: an item, an element, an aspect or the overall index."""

    code: str
    kind: IndicatorKind
    parent: str | None
    """The element of an item, the aspect of an element."""
    vi: str
    en: str
    items: int
    """How many items it aggregates."""


class ShareKey(_Frozen):
    """One reported share: of an indicator's counted values (``value`` None) or of one value."""

    key: str
    """``N5=1`` (share answering 1), ``E7`` (share in the counted values)."""
    indicator: str
    group: ShareGroup
    value: str | None
    vi: str
    en: str
    value_vi: str | None = None
    value_en: str | None = None
    provisional: bool = False


class UnitResult(_Frozen):
    """All indicators of one unit (the nation, a province, a district, a commune, a service field)."""

    level: str
    code: str
    path: tuple[str, ...]
    """Unit codes from the top level down to this unit (empty for the nation)."""
    label: str
    """Vietnamese name (province name, service-field option) or the unit code."""
    forms: int
    values: dict[str, float | None]
    counts: dict[str, tuple[int, int]]
    """Per item: (satisfied answers, valid answers); empty when the values are means of provinces."""
    shares: dict[str, float | None]
    ranks: dict[str, int] = {}
    delta: dict[str, float | None] = {}
    """Change against the previous results, in percentage points."""
    rank_change: dict[str, int | None] = {}
    """Places climbed since the previous results (negative: fell)."""
    label_en: str | None = None
    """English name when it differs from ``label`` (provinces without diacritics, field options)."""
    ci: dict[str, tuple[float, float]] = {}
    """95 % interval (low, high) of each value that has one (see :mod:`scoring.intervals`)."""
    share_ci: dict[str, tuple[float, float]] = {}
    """95 % interval of each share."""
    merged_from: tuple[str, ...] = ()
    """For a 2025 province re-aggregated from legacy results: the old province codes it pools."""

    def name(self, lang: str) -> str:
        """The label in ``lang`` (``vi`` or ``en``)."""
        return self.label_en if lang == "en" and self.label_en else self.label


class Range(_Frozen):
    """Lowest and highest value of one indicator among the units of one level."""

    level: str
    indicator: str
    min: float
    min_unit: str
    max: float
    max_unit: str


class Movement(_Frozen):
    """How the units of one level moved on the overall index since the previous results."""

    level: str
    compared: int
    up: int
    down: int
    same: int
    climbed: int
    fell: int
    kept_rank: int


class ProfileAnswer(_Frozen):
    value: str
    vi: str
    en: str
    count: int
    share: float | None
    """Percent of the forms that answered the question."""


class ProfileQuestion(_Frozen):
    """One respondent-profile question (sex, age band, ethnicity, education, occupation…)."""

    code: str
    vi: str
    en: str
    answered: int
    blank: int
    answers: tuple[ProfileAnswer, ...]


class OpinionGroup(_Frozen):
    """Free-text opinions of one unit on one theme: texts only, sorted, no form id (never identity)."""

    unit: str
    """Unit name (Vietnamese), or ``Toàn quốc`` when forms carry no unit."""
    unit_en: str
    theme: str
    texts: tuple[str, ...]


class FieldworkUnit(_Frozen):
    level: str
    code: str
    label: str
    issued: int
    returned: int
    valid: int
    response_rate: float | None
    valid_rate: float | None


class FieldworkFigures(_Frozen):
    """Fieldwork figures of the survey, filled in by the fieldwork side when the store has them.

    Rates are percentages: ``response_rate`` = returned / issued, ``valid_rate`` = valid / returned.
    """

    forms_issued: int
    forms_returned: int
    forms_valid: int
    response_rate: float | None
    valid_rate: float | None
    units: tuple[FieldworkUnit, ...] = ()


class LeftOutSummary(_Frozen):
    incomplete: int = 0
    review: int = 0
    not_returned: int = 0
    flagged_answers: int = 0


class Results(_Frozen):
    """Everything ``sipas score`` computed."""

    schema_: str = Field(default=RESULTS_SCHEMA, alias="schema")
    template: str
    version: str
    instrument: str
    title_vi: str
    title_en: str
    source: str
    generated: str
    options: dict[str, str]
    forms_used: int
    left_out: LeftOutSummary
    indicators: tuple[Indicator, ...]
    shares: tuple[ShareKey, ...]
    levels: tuple[str, ...]
    units: tuple[UnitResult, ...]
    ranges: tuple[Range, ...]
    previous: str | None = None
    movements: tuple[Movement, ...] = ()
    provisional: bool = False
    scheme: str = "legacy"
    """Administrative units of the results: ``legacy`` (63 provinces, 3 tiers) or ``2025`` (34, 2 tiers)."""
    regrouped: Regrouped | None = None
    """Set when a 63-province year was re-aggregated onto the 2025 provinces, and how."""
    previous_regrouped: Regrouped | None = None
    """Set when the previous results were re-aggregated to compare like with like, and how."""
    min_forms: int = 30
    """Units with fewer forms are shown with a warning."""
    interval: str = ""
    """How the 95 % intervals were computed (``bootstrap:<replicates>:<seed>``; empty = none)."""
    empty_levels: dict[str, str] = {}
    """Levels asked for with no unit to rank, and why (``no-codes``, ``not-in-scheme``)."""
    breakdowns: dict[str, tuple[str, str]] = {}
    """Breakdown field code → its question text (vi, en), for headings."""
    profile: tuple[ProfileQuestion, ...] = ()
    opinions: tuple[OpinionGroup, ...] = ()
    fieldwork: FieldworkFigures | None = None
    """Optional hook: rendered in the report when given (see :class:`FieldworkFigures`)."""

    def national(self) -> UnitResult:
        return next(u for u in self.units if u.level == "national")

    def level_units(self, level: str) -> list[UnitResult]:
        return [u for u in self.units if u.level == level]

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)


def write_results(results: Results, path: Path) -> None:
    path.write_text(results.model_dump_json(indent=1, by_alias=True) + "\n", encoding="utf-8")


def read_results(path: Path) -> Results:
    """A previous ``results.json``, with a message naming the file when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the previous results: {exc}") from exc
    try:
        return Results.model_validate_json(text)
    except ValidationError as exc:
        raise InputFileError(
            f"{path}: not a results.json written by `sipas score` ({exc.error_count()} problems, first: "
            f"{exc.errors()[0]['msg']} at {'.'.join(str(p) for p in exc.errors()[0]['loc'])})"
        ) from exc
