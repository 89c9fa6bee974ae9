"""Score the reader against ground truth: ``sipas eval --truth truth.csv --answers answers.csv``.

``truth.csv`` is ``form_id,field,value`` (as written by ``sipas synth``; ``*`` marks a double mark in
a single-choice field, which is right only when the reader flagged it). ``answers.csv`` is the
answers export, ``form_id,field,value,status,confidence``. The measures follow the quality bars of
the design: the mark error rate among *auto-accepted* fields (what a survey would publish without
anyone looking), the share of fields sent to review, digit accuracy, and each by scan quality when
the synthetic generator's ``pages.csv`` (``form_id``, ``quality``, ...) is given. Fields in the truth
but not in the answers are counted and listed as missing, never silently dropped.

With the generator's ``marks.csv`` (what the respondent drew in each checkbox field, and whether a
careful person would hesitate over it) the checkbox fields are also broken down by mark kind and by
clear/hesitate (:mod:`omr.reader.markeval`). A reliability table compares the confidence of the
auto-accepted checkbox fields (the calibrated probability, :mod:`omr.reader.calibration`) with the
share read right.
"""

from __future__ import annotations

import csv
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from omr.errors import InputFileError
from omr.reader.calibration import ReliabilityBin, reliability
from omr.reader.evaltally import Outcome, Tally
from omr.reader.markeval import MarkBreakdown, MarkCounter, MarkInfo, parse_marks
from omr.types import MULTIPLE

__all__ = ["EvalResult", "Mismatch", "Tally", "evaluate", "evaluate_files", "load_marks", "load_qualities",
           "normalise_value", "result_json"]

CHECKBOX_KINDS = ("single", "multi", "grid")
KINDS = (*CHECKBOX_KINDS, "digits", "text")
_MAX_LISTED = 50


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
    by_mark: MarkBreakdown | None = None
    """Checkbox fields by mark kind and clear/hesitate (when marks.csv is given)."""
    reliability: tuple[ReliabilityBin, ...] = ()
    """Auto-accepted checkbox fields by confidence bin: the confidence (a probability) against the share
    right. Flagged fields are left out: many are flagged for a reason other than their confidence."""

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
    marks: Mapping[tuple[str, str], MarkInfo] | None = None,
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
    marks
        (form id, code) → what was drawn in that checkbox field, from ``marks.csv``.

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
    overall, boxes = Tally(), Tally()
    by_kind: dict[str, Tally] = {}
    by_quality: dict[str, dict[str, Tally]] = {}
    counter = MarkCounter(marks) if marks is not None else None
    mismatches: list[Mismatch] = []
    missing: list[tuple[str, str]] = []
    confidence: list[float] = []
    right: list[bool] = []
    seen: set[tuple[str, str]] = set()
    for row in truth_rows:
        key = (row["form_id"], row["field"])
        seen.add(key)
        kind = kinds.get(row["field"], "single")
        truth = row.get("value") or ""
        ans = answers.get(key)
        if ans is None:
            outcome = Outcome(missing=True)
            missing.append(key)
        else:
            wrong = truth == MULTIPLE or normalise_value(ans.value, kind) != normalise_value(truth, kind)
            outcome = Outcome(auto=True, wrong=wrong) if ans.status == "auto" else Outcome(review=True)
            if outcome.wrong:
                mismatches.append(Mismatch(key[0], key[1], kind, truth, ans.value, ans.confidence))
            if kind in CHECKBOX_KINDS and ans.status == "auto":
                confidence.append(ans.confidence)
                right.append(not wrong)
        quality = qualities.get(key[0], "unknown") if qualities is not None else None
        overall = outcome.count(overall)
        by_kind[kind] = outcome.count(by_kind.get(kind, Tally()))
        if kind in CHECKBOX_KINDS:
            boxes = outcome.count(boxes)
            if counter is not None:
                counter.count(key, outcome, quality)
        if quality is not None:
            q = by_quality.setdefault(quality, {})
            q["all"] = outcome.count(q.get("all", Tally()))
            group = "marks" if kind in CHECKBOX_KINDS else kind
            q[group] = outcome.count(q.get(group, Tally()))
    extra = sum(1 for key in answers if key not in seen)
    ordered = {k: by_kind[k] for k in (*KINDS, *sorted(set(by_kind) - set(KINDS))) if k in by_kind}
    return EvalResult(boxes, overall, ordered, dict(sorted(by_quality.items())), tuple(mismatches),
                      tuple(missing), extra, counter.result() if counter is not None else None,
                      reliability(confidence, right))


def load_qualities(path: Path) -> dict[str, str]:
    """Form id → scan quality from the synthetic generator's ``pages.csv`` (most common per form)."""
    counts: dict[str, Counter[str]] = {}
    for row in _read_csv(path, ("form_id", "quality"), "pages"):
        if row["form_id"]:
            counts.setdefault(row["form_id"], Counter())[row["quality"]] += 1
    return {fid: c.most_common(1)[0][0] for fid, c in counts.items()}


def load_marks(path: Path) -> dict[tuple[str, str], MarkInfo]:
    """(form id, code) → what the respondent drew, from the generator's ``marks.csv``."""
    return parse_marks(_read_csv(path, ("form_id", "field", "marks", "hesitate"), "marks"))


def evaluate_files(
    truth: Path, answers: Path, kinds: Mapping[str, str], pages: Path | None = None, marks: Path | None = None
) -> EvalResult:
    """:func:`evaluate` on files (errors name the file and the missing columns)."""
    truth_rows = _read_csv(truth, ("form_id", "field", "value"), "truth")
    answer_rows = _read_csv(answers, ("form_id", "field", "value", "status"), "answers")
    return evaluate(truth_rows, answer_rows, kinds, load_qualities(pages) if pages else None,
                    load_marks(marks) if marks else None)


def result_json(result: EvalResult) -> dict[str, object]:
    """A JSON-ready summary (rates included, long lists capped)."""
    return {
        "marks": result.marks.as_json(),
        "overall": result.overall.as_json(),
        "by_kind": {k: t.as_json() for k, t in result.by_kind.items()},
        "digit_accuracy": result.digit_accuracy,
        "by_quality": {q: {g: t.as_json() for g, t in groups.items()} for q, groups in result.by_quality.items()},
        "mismatches": [m.__dict__ for m in result.mismatches[:_MAX_LISTED]],
        "mismatch_count": len(result.mismatches),
        "missing": [list(k) for k in result.missing[:_MAX_LISTED]],
        "missing_count": len(result.missing),
        "extra_answers": result.extra,
        "by_mark": result.by_mark.as_json() if result.by_mark is not None else None,
        "reliability": [{"low": b.low, "high": b.high, "fields": b.fields, "right": b.right, "wrong": b.wrong,
                         "mean_predicted": b.mean_predicted, "observed": b.observed,
                         "expected_wrong": b.expected_wrong} for b in result.reliability],
    }
