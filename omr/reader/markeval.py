"""``sipas eval`` by mark kind: what the respondent drew in each checkbox field (``marks.csv``).

``marks.csv`` (written by ``sipas synth`` beside ``truth.csv``) has one row per form and checkbox
answer code: ``form_id,field,value,marks,hesitate,family``; ``marks`` is the ``;``-joined kinds of
mark drawn (empty when the field got no ink), ``hesitate`` is 1 when a careful person would hesitate
over the field. The breakdown counts every checkbox field once per mark kind it holds (a corrected
field with a cross is counted under ``corrected`` and under ``cross``; a field with no ink under
``none``), once under ``clear`` or ``hesitate``, and once under its respondent family.

The headline figures (the bars of docs/benchmark.md):

* **clear-mark error**: wrong among the auto-accepted fields a careful person would not hesitate
  over (``hesitate`` 0, blank fields included);
* **circled right or review**: fields holding a circle (``circle-box`` or ``circle-label``) read
  right or sent to review, among those answered;
* **hesitate auto-wrong**: fields a careful person would hesitate over that were auto-accepted
  with a wrong value, among those answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from omr.reader.evaltally import Outcome, Tally

MARK_KINDS = ("cross", "tick", "slash", "dot", "fill", "circle-box", "circle-label", "tick-long", "beside",
              "pencil", "bleed", "corrected", "double", "stray")
"""The mark vocabulary of ``marks.csv`` (the table order)."""
CIRCLES = frozenset({"circle-box", "circle-label"})
NO_INK = "none"
MARKS_COLUMNS = ("form_id", "field", "marks", "hesitate")


@dataclass(frozen=True)
class MarkInfo:
    """What the respondent drew in one field."""

    marks: tuple[str, ...]
    hesitate: bool
    family: str = ""

    @property
    def circled(self) -> bool:
        return not CIRCLES.isdisjoint(self.marks)


@dataclass(frozen=True)
class Headline:
    """The three figures of the bars for one slice (a quality, or everything)."""

    clear: Tally
    circled: Tally
    hesitate: Tally

    def as_json(self) -> dict[str, object]:
        return {"clear_fields": self.clear.fields, "clear_auto": self.clear.auto, "clear_wrong": self.clear.wrong,
                "clear_error_rate": self.clear.error_rate, "clear_error_upper95": self.clear.error_upper95,
                "clear_review_share": self.clear.review_share,
                "circled_fields": self.circled.fields, "circled_answered": self.circled.answered,
                "circled_right_or_review": self.circled.auto_right + self.circled.review,
                "circled_right_or_review_share": self.circled.right_or_review_share,
                "hesitate_fields": self.hesitate.fields, "hesitate_answered": self.hesitate.answered,
                "hesitate_auto_wrong": self.hesitate.wrong,
                "hesitate_auto_wrong_share": self.hesitate.auto_wrong_share}


@dataclass(frozen=True)
class MarkBreakdown:
    """Checkbox fields by mark kind, by clear/hesitate, by respondent family; and per quality."""

    by_mark: dict[str, Tally]
    by_hesitate: dict[str, Tally]
    """``clear`` and ``hesitate``."""
    circled: Tally
    by_family: dict[str, Tally]
    by_quality: dict[str, Headline] = field(default_factory=dict)
    unmatched: int = 0
    """Checkbox fields of the truth with no row in marks.csv (not in any slice above)."""

    @property
    def headline(self) -> Headline:
        return Headline(self.by_hesitate.get("clear", Tally()), self.circled,
                        self.by_hesitate.get("hesitate", Tally()))

    def as_json(self) -> dict[str, object]:
        return {"headline": self.headline.as_json(),
                "headline_by_quality": {q: h.as_json() for q, h in self.by_quality.items()},
                "by_mark": {k: t.as_json() for k, t in self.by_mark.items()},
                "by_hesitate": {k: t.as_json() for k, t in self.by_hesitate.items()},
                "circled": self.circled.as_json(),
                "by_family": {k: t.as_json() for k, t in self.by_family.items()},
                "unmatched": self.unmatched}


class MarkCounter:
    """Builds a :class:`MarkBreakdown` one checkbox field at a time."""

    def __init__(self, marks: Mapping[tuple[str, str], MarkInfo]) -> None:
        self._marks = marks
        self._by_mark: dict[str, Tally] = {}
        self._by_hesitate: dict[str, Tally] = {}
        self._by_family: dict[str, Tally] = {}
        self._circled = Tally()
        self._by_quality: dict[str, dict[str, Tally]] = {}
        self._unmatched = 0

    def count(self, key: tuple[str, str], outcome: Outcome, quality: str | None) -> None:
        """Count one checkbox field (form id, code) with what became of it."""
        info = self._marks.get(key)
        if info is None:
            self._unmatched += 1
            return
        for kind in info.marks or (NO_INK,):
            self._by_mark[kind] = outcome.count(self._by_mark.get(kind, Tally()))
        which = "hesitate" if info.hesitate else "clear"
        self._by_hesitate[which] = outcome.count(self._by_hesitate.get(which, Tally()))
        if info.circled:
            self._circled = outcome.count(self._circled)
        family = info.family or "unknown"
        self._by_family[family] = outcome.count(self._by_family.get(family, Tally()))
        if quality is not None:
            q = self._by_quality.setdefault(quality, {})
            for name in (which, *(["circled"] if info.circled else [])):
                q[name] = outcome.count(q.get(name, Tally()))

    def result(self) -> MarkBreakdown:
        order = [*MARK_KINDS, *sorted(set(self._by_mark) - {*MARK_KINDS, NO_INK}), NO_INK]
        by_quality = {q: Headline(g.get("clear", Tally()), g.get("circled", Tally()), g.get("hesitate", Tally()))
                      for q, g in sorted(self._by_quality.items())}
        return MarkBreakdown({k: self._by_mark[k] for k in order if k in self._by_mark},
                             {k: self._by_hesitate[k] for k in ("clear", "hesitate") if k in self._by_hesitate},
                             self._circled, dict(sorted(self._by_family.items())), by_quality, self._unmatched)


def parse_marks(rows: Iterable[Mapping[str, str]]) -> dict[tuple[str, str], MarkInfo]:
    """(form id, code) → :class:`MarkInfo` from the rows of ``marks.csv``."""
    out: dict[tuple[str, str], MarkInfo] = {}
    for row in rows:
        kinds = tuple(sorted(k for k in (s.strip() for s in (row.get("marks") or "").split(";")) if k))
        out[(row["form_id"], row["field"])] = MarkInfo(kinds, (row.get("hesitate") or "0").strip() == "1",
                                                       (row.get("family") or "").strip())
    return out
