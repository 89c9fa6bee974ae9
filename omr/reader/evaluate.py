"""Score the reader against ground truth: ``sipas eval --truth truth.csv --answers answers.csv``.

``truth.csv`` is ``form_id,field,value`` (as written by ``sipas synth``; ``*`` marks a double mark in
a single-choice field, which is right only when the reader flagged it). ``answers.csv`` is the
answers export, ``form_id,field,value,status,confidence``. The measures follow the quality bars of
the design: the mark error rate among *auto-accepted* fields (what a survey would publish without
anyone looking), the share of fields sent to review, digit accuracy, and each by scan quality when
the synthetic generator's ``pages.csv`` (``form_id``, ``quality``, ...) is given. Fields in the truth
but not in the answers are counted and listed as missing, never silently dropped.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from omr.errors import InputFileError
from omr.types import MULTIPLE

CHECKBOX_KINDS = ("single", "multi", "grid")
KINDS = (*CHECKBOX_KINDS, "digits", "text")
_MAX_LISTED = 50


@dataclass(frozen=True)
class Tally:
    """Counts for one slice of the fields (a kind, a scan quality, or everything)."""

    fields: int = 0
    auto: int = 0
    wrong: int = 0
    review: int = 0
    missing: int = 0

    @property
    def error_rate(self) -> float | None:
        """Wrong values among auto-accepted fields (None when nothing was auto-accepted)."""
        return self.wrong / self.auto if self.auto else None

    @property
    def review_share(self) -> float | None:
        """Fields sent to review (flagged or reviewed) among the fields answered."""
        answered = self.fields - self.missing
        return self.review / answered if answered else None

    def add(self, *, auto: bool = False, wrong: bool = False, review: bool = False, missing: bool = False) -> Tally:
        return Tally(self.fields + 1, self.auto + auto, self.wrong + wrong, self.review + review,
                     self.missing + missing)


@dataclass(frozen=True)
class Mismatch:
    """An auto-accepted field whose value differs from the truth."""

    form_id: str
    field: str
    kind: str
    truth: str
    read: str
    confidence: float


@dataclass(frozen=True)
class EvalResult:
    """The evaluation of one answers file against one truth file."""

    marks: Tally
    """Checkbox fields (single, multi, grid): the mark error rate and review share of the bars."""
    overall: Tally
    by_kind: dict[str, Tally]
    by_quality: dict[str, dict[str, Tally]] = field(default_factory=dict)
    """quality → {"marks": …, "digits": …, "all": …}."""
    mismatches: tuple[Mismatch, ...] = ()
    missing: tuple[tuple[str, str], ...] = ()
    extra: int = 0
    """Answer rows with no truth row (ignored)."""

    @property
    def digit_accuracy(self) -> float | None:
        """Correct values among auto-accepted digits fields."""
        d = self.by_kind.get("digits", Tally())
        return (d.auto - d.wrong) / d.auto if d.auto else None


@dataclass(frozen=True)
class _Answer:
    value: str
    status: str
    confidence: float


def _read_csv(path: Path, needed: tuple[str, ...], what: str) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                raise InputFileError(f"{path}: the {what} file lacks the column(s) {', '.join(missing)} "
                                     f"(expected {','.join(needed)})")
            return [dict(row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputFileError(f"{path}: cannot read the {what} file: {exc}") from exc


def normalise_value(value: str, kind: str) -> str:
    """Comparable form of a value: NFC, trimmed; multi values as a sorted set; text case-folded."""
    v = unicodedata.normalize("NFC", (value or "").strip())
    if kind == "multi":
        return ";".join(sorted(p for p in (s.strip() for s in v.split(";")) if p))
    if kind == "text":
        return " ".join(v.casefold().split())
    return v


def evaluate(
    truth_rows: Iterable[Mapping[str, str]],
    answer_rows: Iterable[Mapping[str, str]],
    kinds: Mapping[str, str],
    qualities: Mapping[str, str] | None = None,
) -> EvalResult:
    """Compare answers with the truth.

    Parameters
    ----------
    truth_rows, answer_rows
        Rows of ``truth.csv`` and ``answers.csv`` as mappings of column → text.
    kinds
        Field code → kind (single, multi, grid, digits, text); unknown codes count as ``single``.
    qualities
        Form id → scan quality, from ``pages.csv``.

    Returns
    -------
    EvalResult
    """
    answers: dict[tuple[str, str], _Answer] = {}
    for row in answer_rows:
        try:
            conf = float(row.get("confidence") or 0.0)
        except ValueError:
            conf = 0.0
        answers[(row["form_id"], row["field"])] = _Answer(row.get("value") or "", row.get("status") or "", conf)
    overall, marks = Tally(), Tally()
    by_kind: dict[str, Tally] = {}
    by_quality: dict[str, dict[str, Tally]] = {}
    mismatches: list[Mismatch] = []
    missing: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for row in truth_rows:
        key = (row["form_id"], row["field"])
        seen.add(key)
        kind = kinds.get(row["field"], "single")
        truth = row.get("value") or ""
        ans = answers.get(key)
        if ans is None:
            flags = {"missing": True}
            missing.append(key)
        elif ans.status == "auto":
            wrong = truth == MULTIPLE or normalise_value(ans.value, kind) != normalise_value(truth, kind)
            flags = {"auto": True, "wrong": wrong}
            if wrong:
                mismatches.append(Mismatch(key[0], key[1], kind, truth, ans.value, ans.confidence))
        else:
            flags = {"review": True}
        overall = overall.add(**flags)
        by_kind[kind] = by_kind.get(kind, Tally()).add(**flags)
        if kind in CHECKBOX_KINDS:
            marks = marks.add(**flags)
        if qualities is not None:
            q = by_quality.setdefault(qualities.get(key[0], "unknown"), {})
            q["all"] = q.get("all", Tally()).add(**flags)
            group = "marks" if kind in CHECKBOX_KINDS else kind
            q[group] = q.get(group, Tally()).add(**flags)
    extra = sum(1 for key in answers if key not in seen)
    ordered = {k: by_kind[k] for k in (*KINDS, *sorted(set(by_kind) - set(KINDS))) if k in by_kind}
    return EvalResult(marks, overall, ordered, dict(sorted(by_quality.items())), tuple(mismatches),
                      tuple(missing), extra)


def load_qualities(path: Path) -> dict[str, str]:
    """Form id → scan quality from the synthetic generator's ``pages.csv`` (most common per form)."""
    counts: dict[str, Counter[str]] = {}
    for row in _read_csv(path, ("form_id", "quality"), "pages"):
        if row["form_id"]:
            counts.setdefault(row["form_id"], Counter())[row["quality"]] += 1
    return {fid: c.most_common(1)[0][0] for fid, c in counts.items()}


def evaluate_files(
    truth: Path, answers: Path, kinds: Mapping[str, str], pages: Path | None = None
) -> EvalResult:
    """:func:`evaluate` on files (errors name the file and the missing columns)."""
    truth_rows = _read_csv(truth, ("form_id", "field", "value"), "truth")
    answer_rows = _read_csv(answers, ("form_id", "field", "value", "status"), "answers")
    return evaluate(truth_rows, answer_rows, kinds, load_qualities(pages) if pages else None)


def result_json(result: EvalResult) -> dict[str, object]:
    """A JSON-ready summary (rates included, long lists capped)."""

    def tally(t: Tally) -> dict[str, object]:
        return {"fields": t.fields, "auto": t.auto, "wrong": t.wrong, "review": t.review, "missing": t.missing,
                "error_rate": t.error_rate, "review_share": t.review_share}

    return {
        "marks": tally(result.marks),
        "overall": tally(result.overall),
        "by_kind": {k: tally(t) for k, t in result.by_kind.items()},
        "digit_accuracy": result.digit_accuracy,
        "by_quality": {q: {g: tally(t) for g, t in groups.items()} for q, groups in result.by_quality.items()},
        "mismatches": [m.__dict__ for m in result.mismatches[:_MAX_LISTED]],
        "mismatch_count": len(result.mismatches),
        "missing": [list(k) for k in result.missing[:_MAX_LISTED]],
        "missing_count": len(result.missing),
        "extra_answers": result.extra,
    }
