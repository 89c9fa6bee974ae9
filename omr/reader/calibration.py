"""A checkbox field's raw confidence → the probability that its value is right.

The reader's raw confidence of a field (the smallest box confidence of the field: a margin between
state scores, see :mod:`omr.reader.marks`) orders fields well but is no probability: a raw 0.5 may
be right 99 times in 100 on one scanner and 80 on another. :class:`Calibration` maps it, per field
kind (``single``, ``multi``, ``grid``), to the share of fields that were read right at that raw
confidence in the *tuning* families of ``sipas synth`` (see docs/benchmark.md), so that a threshold
on it means what it says.

The map is a non-decreasing step function fitted by isotonic regression (pool adjacent violators)
of "value right" (0/1) on the raw confidence. Each step's probability is the posterior mean of its
fields with a uniform prior, ``(right + 1) / (fields + 2)`` (see :func:`isotonic`): a step of 3 fields all right says
0.8, not 1.0, so a high probability needs many fields behind it (0.999 needs about 1,000 fields
without an error). A kind with fewer than :data:`MIN_FIELDS` fields uses the curve of all kinds
together.

``tools/calibrate.py`` fits the curves and writes ``omr/models/mark_calibration.json`` (with its
provenance); :func:`default_calibration` loads it once per process. Setting the environment
variable ``SIPAS_CALIBRATION`` to ``off`` disables it (the reader keeps raw confidences, which is
what the fitting itself needs) and to a path loads that file instead.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from omr.errors import InputFileError
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "models" / "mark_calibration.json"
ENV = "SIPAS_CALIBRATION"
ALL = "all"
"""The curve of every kind together (the fallback)."""
MIN_FIELDS = 300
"""A kind needs this many fitting fields for a curve of its own."""
FORMAT = 1


@dataclass(frozen=True)
class Curve:
    """A non-decreasing step function: step ``i`` covers raw confidences from ``lower[i]`` up to the
    next step's lower edge. Below the first edge no field was seen: the raw confidence itself is
    returned, capped by the first step, so a field the fit knows nothing about never looks sure."""

    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    """Largest raw confidence seen in each step (for the record)."""
    fields: NDArray[np.int64]
    right: NDArray[np.int64]
    probability: NDArray[np.float64]

    def __call__(self, raw: ArrayLike) -> NDArray[np.float64]:
        """Probability of each raw confidence (vectorised)."""
        x = np.asarray(raw, np.float64)
        i = np.clip(np.searchsorted(self.lower, x, side="right") - 1, 0, len(self.lower) - 1)
        below = np.minimum(np.clip(x, 0.0, 1.0), self.probability[0])
        return np.asarray(np.where(x < self.lower[0], below, self.probability[i]), np.float64)


@dataclass(frozen=True)
class Provenance:
    """Where a calibration comes from (written with it, shown by ``tools/calibrate.py``)."""

    date: str
    families: str
    qualities: tuple[str, ...]
    seeds: tuple[int, ...]
    forms: int
    fields: int
    config_hash: str
    command: str = ""


@dataclass(frozen=True)
class Calibration:
    """Curves per field kind (and :data:`ALL`), with their provenance."""

    curves: Mapping[str, Curve]
    provenance: Provenance

    def curve(self, kind: str) -> Curve:
        return self.curves.get(kind) or self.curves[ALL]

    def probability(self, raw: float, kind: str) -> float:
        """Probability that a field of this kind read at this raw confidence holds the right value."""
        return float(self.curve(kind)(raw))

    def probabilities(self, raw: ArrayLike, kinds: Sequence[str]) -> NDArray[np.float64]:
        """:meth:`probability` of many fields at once."""
        x = np.asarray(raw, np.float64)
        k = np.asarray(kinds, dtype=object)
        out = np.empty(len(x), np.float64)
        for kind in set(kinds):
            at = k == kind
            out[at] = self.curve(kind)(x[at])
        return out


def isotonic(x: ArrayLike, y: ArrayLike) -> Curve:
    """Fit a :class:`Curve` to raw confidences ``x`` and outcomes ``y`` (1 right, 0 wrong).

    Pool adjacent violators on the means of equal raw values, then on the smoothed step
    probabilities ``(right + 1) / (fields + 2)`` (smoothing can reorder two steps, so the second
    pass restores a non-decreasing curve; a step pooled there from ``k`` first-pass steps says
    ``(right + k) / (fields + 2k)``).
    """
    xs = np.asarray(x, np.float64)
    ys = np.asarray(y, np.int64)
    if xs.size == 0 or xs.shape != ys.shape:
        raise ValueError("isotonic: need as many outcomes as raw confidences, at least one")
    values, inverse = np.unique(xs, return_inverse=True)
    n = np.bincount(inverse).astype(np.int64)
    r = np.bincount(inverse, weights=ys).astype(np.int64)
    blocks, _ = _pool(r / n, n.astype(np.float64))
    lo, hi, nn, rr = _merge(values, n, r, blocks)
    blocks, p = _pool((rr + 1.0) / (nn + 2.0), np.asarray(nn + 2.0, np.float64))
    lo, hi, nn, rr = _merge(lo, nn, rr, blocks, hi)
    return Curve(lo, hi, nn, rr, np.clip(np.asarray(p, np.float64), 0.0, 1.0))


def _pool(mean: NDArray[np.float64], weight: NDArray[np.float64]) -> tuple[list[tuple[int, int]], list[float]]:
    """Pool adjacent violators: ``[start, stop)`` index ranges whose weighted means never decrease
    (equal neighbours are pooled too), and those means."""
    starts: list[int] = []
    means: list[float] = []
    weights: list[float] = []
    for i, (m, w) in enumerate(zip(mean.tolist(), weight.tolist(), strict=True)):
        starts.append(i)
        means.append(m)
        weights.append(w)
        while len(means) > 1 and means[-2] >= means[-1]:
            w2 = weights[-2] + weights[-1]
            means[-2] = (means[-2] * weights[-2] + means[-1] * weights[-1]) / w2
            weights[-2] = w2
            del starts[-1], means[-1], weights[-1]
    stops = [*starts[1:], len(mean)]
    return list(zip(starts, stops, strict=True)), means


def _merge(
    lower: NDArray[np.float64], n: NDArray[np.int64], r: NDArray[np.int64], blocks: list[tuple[int, int]],
    upper: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64], NDArray[np.int64]]:
    """Lower edge, upper edge, fields and right of each pooled block."""
    up = lower if upper is None else upper
    lo = np.array([lower[a] for a, _ in blocks], np.float64)
    hi = np.array([up[b - 1] for _, b in blocks], np.float64)
    return (lo, hi, np.array([n[a:b].sum() for a, b in blocks], np.int64),
            np.array([r[a:b].sum() for a, b in blocks], np.int64))


def fit(raw: ArrayLike, right: ArrayLike, kinds: Sequence[str], provenance: Provenance) -> Calibration:
    """Curves for every kind with at least :data:`MIN_FIELDS` fields, and for all kinds together."""
    x, y = np.asarray(raw, np.float64), np.asarray(right, np.int64)
    k = np.asarray(kinds, dtype=object)
    curves = {ALL: isotonic(x, y)}
    for kind in sorted(set(kinds)):
        at = k == kind
        if at.sum() >= MIN_FIELDS:
            curves[kind] = isotonic(x[at], y[at])
    return Calibration(curves, provenance)


def config_hash(config: ReaderConfig = DEFAULT_CONFIG) -> str:
    """Short hash of the reader thresholds that decide values (a calibration holds for the reader it was
    fitted on); the acceptance levels (``*_accept``) are left out, since the fit uses every field the
    machine read, accepted or not, and choosing a level must not make the calibration look stale."""
    kept = {k: v for k, v in asdict(config).items() if not k.endswith("_accept")}
    text = json.dumps(kept, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def to_json(calibration: Calibration) -> dict[str, object]:
    """The JSON document of a calibration (``omr/models/mark_calibration.json``)."""
    curves = {kind: {"lower": c.lower.tolist(), "upper": c.upper.tolist(), "fields": c.fields.tolist(),
                     "right": c.right.tolist(), "probability": [round(p, 6) for p in c.probability.tolist()]}
              for kind, c in calibration.curves.items()}
    return {"format": FORMAT, "what": "P(checkbox field value right | raw confidence, kind); see omr/reader/"
            "calibration.py", "provenance": asdict(calibration.provenance), "curves": curves}


def from_json(doc: Mapping[str, object]) -> Calibration:
    """Inverse of :func:`to_json` (raises KeyError, TypeError or ValueError on a malformed document)."""
    if doc.get("format") != FORMAT:
        raise ValueError(f"unknown calibration format {doc.get('format')!r}")
    raw_curves = doc["curves"]
    prov = doc["provenance"]
    if not isinstance(raw_curves, dict) or not isinstance(prov, dict) or ALL not in raw_curves:
        raise ValueError("a calibration needs 'provenance' and 'curves' with an 'all' curve")
    curves = {kind: Curve(np.asarray(c["lower"], np.float64), np.asarray(c["upper"], np.float64),
                          np.asarray(c["fields"], np.int64), np.asarray(c["right"], np.int64),
                          np.asarray(c["probability"], np.float64)) for kind, c in raw_curves.items()}
    if any(len(c.lower) == 0 or len(c.lower) != len(c.probability) for c in curves.values()):
        raise ValueError("a calibration curve has no steps or mismatched arrays")
    fields = {**prov, "qualities": tuple(prov["qualities"]), "seeds": tuple(prov["seeds"])}
    return Calibration(curves, Provenance(**fields))


def load(path: Path) -> Calibration:
    """Read a calibration file (errors name the file)."""
    try:
        return from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputFileError(f"{path}: not a usable mark calibration ({exc}); run python -m tools.calibrate") from exc


def save(calibration: Calibration, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(calibration), indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def default_calibration() -> Calibration | None:
    """The calibration the reader uses: ``$SIPAS_CALIBRATION`` (``off``, or a file), else the packaged
    file; ``None`` when disabled or when no file was fitted yet. Loaded once per process."""
    setting = os.environ.get(ENV, "").strip()
    if setting.lower() in ("off", "none", "0"):
        return None
    path = Path(setting) if setting else DEFAULT_PATH
    if not setting and not path.exists():
        return None
    return load(path)


RELIABILITY_EDGES = (0.0, 0.5, 0.9, 0.99, 0.999, 1.0)
"""Probability bins of a reliability table (the last bin includes 1.0)."""


@dataclass(frozen=True)
class ReliabilityBin:
    """Fields whose predicted probability lies in ``[low, high)``: predicted against observed."""

    low: float
    high: float
    fields: int
    right: int
    mean_predicted: float | None
    """Mean predicted probability (None for an empty bin)."""
    expected_wrong: float
    """Sum of ``1 - p``: the wrong values the probabilities promise."""

    @property
    def observed(self) -> float | None:
        """Share of the bin's fields that were right."""
        return self.right / self.fields if self.fields else None

    @property
    def wrong(self) -> int:
        return self.fields - self.right


def reliability(
    predicted: ArrayLike, right: ArrayLike, edges: Sequence[float] = RELIABILITY_EDGES
) -> tuple[ReliabilityBin, ...]:
    """Bin fields by predicted probability and count how many were right in each bin."""
    p = np.asarray(predicted, np.float64)
    y = np.asarray(right, bool)
    e = np.asarray(edges, np.float64)
    which = np.clip(np.searchsorted(e, p, side="right") - 1, 0, len(e) - 2)
    out = []
    for i in range(len(e) - 1):
        at = which == i
        n = int(at.sum())
        out.append(ReliabilityBin(float(e[i]), float(e[i + 1]), n, int(y[at].sum()),
                                  float(p[at].mean()) if n else None, float((1.0 - p[at]).sum())))
    return tuple(out)
