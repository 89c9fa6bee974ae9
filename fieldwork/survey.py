"""A survey as data: ``survey.yaml`` validated by a pydantic schema (published as JSON Schema).

A survey names its year, instrument (template), administrative-unit scheme, the units selected with
their service fields (one-stop-shop population) or villages (household population), the quotas,
the transaction window, the reserve size and, once published, the random seed. Errors name the file
and the place in it, like template errors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fieldwork.errors import SurveyFileError

Scheme = Literal["legacy", "2025"]
"""``legacy``: 63 provinces, three tiers (province, district, commune), before 1 July 2025;
``2025``: 34 provinces, two tiers (province, commune), from 1 July 2025."""
Population = Literal["one-stop-shop", "household"]
Level = Literal["province", "district", "commune"]
Code = Annotated[str, Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z_.-]{0,31}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Strict):
    """The reference window of transactions (both days included)."""

    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class _Group(_Strict):
    """A stratum within a unit: its code, name, the other names lists use for it, its quota."""

    code: Code
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    quota: int | None = Field(default=None, ge=1)

    def labels(self) -> tuple[str, ...]:
        return (self.code, self.name, *self.aliases)


class FieldSpec(_Group):
    """A service field (or procedure) surveyed at a unit's one-stop shop."""


class VillageSpec(_Group):
    """A village or residential group (thôn, ấp, bản, tổ dân phố) of a selected commune."""


class UnitSpec(_Strict):
    """A selected administrative unit; ``code`` is its official code in the survey's scheme."""

    code: Code
    name: str = Field(min_length=1)
    level: Level
    aliases: tuple[str, ...] = ()
    fields: tuple[FieldSpec, ...] = ()
    villages: tuple[VillageSpec, ...] = ()
    residence: Literal["unit", "province", "any"] = "unit"
    """Where respondents of this unit must live: in the unit itself (default), anywhere in the
    province, or anywhere (the address must still parse)."""

    def labels(self) -> tuple[str, ...]:
        return (self.code, self.name, *self.aliases)


class ProvinceSpec(_Strict):
    code: Code
    name: str = Field(min_length=1)


class Reserve(_Strict):
    """Reserve list size per stratum: a fixed ``size`` or a ``ratio`` of the quota (rounded up)."""

    size: int | None = Field(default=None, ge=0)
    ratio: float | None = Field(default=None, ge=0, le=5)

    @model_validator(mode="after")
    def _one(self) -> Reserve:
        if (self.size is None) == (self.ratio is None):
            raise ValueError("give exactly one of size or ratio")
        return self

    def for_quota(self, quota: int) -> int:
        return self.size if self.size is not None else math.ceil(quota * (self.ratio or 0.0) - 1e-9)


class Substitution(_Strict):
    """How many official respondents of a stratum may be replaced from its reserve list.

    ``max_per_stratum``: at most this many substitutes per stratum; ``max_share``: at most this share
    of the stratum's official list (rounded down). With both, the smaller limit holds; with neither
    (the default), the reserve list itself is the limit (its size is set by ``reserve``).
    """

    max_per_stratum: int | None = Field(default=None, ge=0)
    max_share: float | None = Field(default=None, ge=0, le=1)

    def limit(self, official: int, reserve: int) -> int:
        """Substitutes allowed in a stratum of ``official`` drawn people and ``reserve`` reserves."""
        limits = [reserve]
        if self.max_per_stratum is not None:
            limits.append(self.max_per_stratum)
        if self.max_share is not None:
            limits.append(math.floor(official * self.max_share + 1e-9))
        return max(0, min(limits))


class Collection(_Strict):
    """When the post delivers and collects the forms (both days included): forms handed or delivered
    but not collected after ``collect_by`` are overdue (``sipas fieldwork status``)."""

    deliver_by: dt.date
    collect_by: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Collection:
        if self.collect_by < self.deliver_by:
            raise ValueError(f"collect_by {self.collect_by} is before deliver_by {self.deliver_by}")
        return self


class Columns(_Strict):
    """Headers of the lists, per canonical column (matched ignoring case, accents and spacing)."""

    name: tuple[str, ...] = ("Họ và tên", "Họ tên", "Tên người nộp hồ sơ", "Tên tổ chức, cá nhân", "name")
    address: tuple[str, ...] = ("Địa chỉ", "Nơi cư trú", "Địa chỉ cư trú", "Địa chỉ thường trú", "address")
    phone: tuple[str, ...] = ("Số điện thoại", "Điện thoại", "SĐT", "Điện thoại liên hệ", "phone")
    date: tuple[str, ...] = ("Ngày tiếp nhận", "Ngày giao dịch", "Ngày nhận hồ sơ", "Ngày trả kết quả", "date")
    field: tuple[str, ...] = ("Lĩnh vực", "Lĩnh vực TTHC", "field")
    unit: tuple[str, ...] = ("Đơn vị", "Đơn vị tiếp nhận", "Bộ phận một cửa", "unit")
    village: tuple[str, ...] = ("Thôn, tổ dân phố", "Thôn/Tổ dân phố", "Thôn", "Tổ dân phố", "village")


class Survey(_Strict):
    """One year's survey (see examples/ and the README's Fieldwork section)."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    year: int = Field(ge=2010, le=2100)
    instrument: str = Field(min_length=1, description="Template name or path, e.g. sipas-2023")
    scheme: Scheme
    population: Population
    province: ProvinceSpec
    window: Window | None = None
    units: tuple[UnitSpec, ...] = Field(min_length=1)
    quota: int | None = Field(default=None, ge=1, description="Default quota per stratum")
    total: int | None = Field(default=None, ge=1, description="Expected sum of the quotas")
    margin_of_error: float = Field(default=0.05, gt=0, lt=1)
    reserve: Reserve = Reserve(ratio=0.5)
    substitution: Substitution = Field(default=Substitution(), description=(
        "Limit on substitutes per stratum (max_per_stratum and/or max_share of the official list); "
        "default: the reserve list is the limit"))
    collection: Collection | None = Field(default=None, description=(
        "Post deadlines {deliver_by, collect_by}: forms not collected after collect_by are overdue"))
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    columns: Columns = Columns()

    @model_validator(mode="after")
    def _consistent(self) -> Survey:
        codes = [u.code for u in self.units]
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ValueError(f"unit codes appear twice: {', '.join(dup)}")
        for i, u in enumerate(self.units):
            if self.scheme == "2025" and u.level == "district":
                raise ValueError(f"units[{i}] ({u.name}): the 2025 scheme has no district level")
            groups = u.fields if self.population == "one-stop-shop" else u.villages
            other = u.villages if self.population == "one-stop-shop" else u.fields
            kind = "fields" if self.population == "one-stop-shop" else "villages"
            if not groups:
                raise ValueError(f"units[{i}] ({u.name}): a {self.population} survey lists the unit's {kind}")
            if other:
                raise ValueError(f"units[{i}] ({u.name}): a {self.population} survey lists {kind} only")
            gcodes = [g.code for g in groups]
            if len(set(gcodes)) != len(gcodes):
                raise ValueError(f"units[{i}] ({u.name}): {kind} codes appear twice")
        if self.population == "one-stop-shop" and self.window is None:
            raise ValueError("a one-stop-shop survey needs its transaction window (window: {start, end})")
        quotas = [self.quota_of(g) for u in self.units for g in self.groups(u)]
        if self.total is not None and all(q is not None for q in quotas):
            total = sum(q for q in quotas if q is not None)
            if total != self.total:
                raise ValueError(f"the quotas add up to {total}, not the total {self.total}")
        return self

    def groups(self, unit: UnitSpec) -> tuple[FieldSpec | VillageSpec, ...]:
        """The strata of ``unit``: its fields or its villages."""
        return unit.fields if self.population == "one-stop-shop" else unit.villages

    def quota_of(self, group: FieldSpec | VillageSpec) -> int | None:
        return group.quota if group.quota is not None else self.quota


def stratum_key(unit: UnitSpec, group: FieldSpec | VillageSpec) -> str:
    """``<unit code>/<field or village code>``: the name of a stratum in frames, lists and records."""
    return f"{unit.code}/{group.code}"


def formula_size(population: int, margin_of_error: float) -> int:
    """``n = N / (1 + N·e²)``, rounded up (sipas.md §4.1); 0 for an empty stratum.

    >>> formula_size(400, 0.05)
    200
    """
    if population <= 0:
        return 0
    return math.ceil(population / (1 + population * margin_of_error**2) - 1e-9)


def parse_survey(text: str, source: str) -> Survey:
    """Validate YAML text; ``source`` names it in errors (``file: units[2].fields: ...``)."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SurveyFileError(f"{source}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SurveyFileError(f"{source}: a survey must be a YAML mapping at the top level")
    try:
        return Survey.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = _location(tuple(err["loc"]))
            lines.append(f"{source}: {where}: {str(err['msg']).removeprefix('Value error, ')}")
        raise SurveyFileError("\n".join(lines)) from exc


def load_survey(path: Path) -> Survey:
    """Read and validate a survey file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SurveyFileError(f"{path}: cannot read the survey file: {exc}") from exc
    return parse_survey(text, str(path))


def survey_hash(survey: Survey) -> str:
    """SHA-256 of the survey's canonical JSON (the draw record names the survey it used)."""
    canon = survey.model_dump_json(exclude={"seed", "substitution", "collection"})  # these come after the draw
    return "sha256:" + hashlib.sha256(canon.encode()).hexdigest()


def survey_json_schema() -> dict[str, Any]:
    """The JSON Schema of survey files (``sipas fieldwork schema``)."""
    return Survey.model_json_schema()


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"
