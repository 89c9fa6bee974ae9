"""Stage 4b: turn box measures into a state (empty, marked, filled, ambiguous) and a confidence.

Like SDAPS, each measure is mapped through piecewise-linear ramps, so no single threshold decides
alone and the distance from every edge becomes a confidence:

* *presence* needs both enough line-free ink **and** a stroke of real size (a stray dot or a speck
  of toner is not a mark; an outline residue is not ink);
* *fill* needs high coverage, a covered centre **and** no white area left (a thick-pen cross covers
  half the box but leaves white triangles; a box filled over does not);
* *faintness* (light pencil) lowers the confidence of a mark without changing its state; on a
  bilevel scan (a fax), where every pen stroke stays solid black, ink that the smoothing turned
  pale is made of isolated dots (a dithered shading, the remains of a light pencil): its
  confidence falls below the acceptance level, so such a "mark" is never accepted unseen.

State scores: ``empty = 1 - presence``, ``marked = presence × (1 - fill)``,
``filled = presence × fill``. The state is the best score; the confidence is its margin over the
second best, scaled down for faint ink; a margin below ``ambiguous_margin`` gives ``ambiguous``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from omr.reader.boxes import BoxMeasures
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.types import BoxState

STATES: tuple[BoxState, BoxState, BoxState] = ("empty", "marked", "filled")


def ramp(x: NDArray[np.float64], edges: tuple[float, float]) -> NDArray[np.float64]:
    """0 below ``edges[0]``, 1 above ``edges[1]``, linear in between.

    Examples
    --------
    >>> ramp(np.array([0.0, 0.5, 2.0]), (0.0, 1.0)).tolist()
    [0.0, 0.5, 1.0]
    """
    lo, hi = edges
    return np.asarray(np.clip((x - lo) / (hi - lo), 0.0, 1.0), np.float64)


@dataclass(frozen=True)
class BoxDecisions:
    """States and confidences of N boxes, with the state scores behind them."""

    states: tuple[BoxState, ...]
    confidence: NDArray[np.float64]
    scores: NDArray[np.float64]
    """(N, 3) scores of empty, marked, filled."""
    faint: NDArray[np.bool_]
    """Ink present but lighter than the faint ramp (light pencil)."""


def classify_boxes(
    measures: BoxMeasures, *, bilevel: bool = False, config: ReaderConfig = DEFAULT_CONFIG
) -> BoxDecisions:
    """Decide the state of every box from its measures.

    Parameters
    ----------
    measures : BoxMeasures
        From :func:`omr.reader.boxes.measure_boxes`.
    bilevel : bool, optional
        The page was scanned in black and white (:func:`omr.reader.boxes.is_bilevel`).
    config : ReaderConfig, optional
        The ``presence_*``, ``fill_*``, ``faint_strength``, ``ghost_strength`` and ``ambiguous_margin``
        settings.

    Returns
    -------
    BoxDecisions
    """
    m = measures
    presence = np.minimum(ramp(m.line_free, config.presence_cov), ramp(m.extent, config.presence_extent))
    fill = np.minimum.reduce(
        [ramp(m.coverage, config.fill_cov), ramp(m.centre, config.fill_centre), 1.0 - ramp(m.white, config.fill_white)]
    )
    scores = np.stack([1.0 - presence, presence * (1.0 - fill), presence * fill], axis=1)
    order = np.argsort(-scores, axis=1)
    best = order[:, 0]
    rows = np.arange(len(best))
    margin = scores[rows, best] - scores[rows, order[:, 1]]
    vigour = ramp(m.strength, config.faint_strength)
    visible = ramp(m.strength, config.ghost_strength) if bilevel else np.ones(len(m))
    inked = best > 0
    confidence = np.where(inked, margin * (0.5 + 0.5 * vigour) * (0.5 + 0.5 * visible), margin)
    faint = inked & (vigour < 1.0)
    states: list[BoxState] = [
        "ambiguous" if margin[i] < config.ambiguous_margin else STATES[int(best[i])] for i in range(len(best))
    ]
    return BoxDecisions(tuple(states), np.round(confidence, 4), scores, faint)
