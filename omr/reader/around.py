"""Stage 4e: which box does each respondent stroke belong to?

The box measures (:mod:`omr.reader.boxes`) look inside each box only. Respondents also circle the
box or the option's label, run a tick far over the box edge, mark beside the box, or let a loop
around one row of a tight grid cut into the rows above and below. Every respondent stroke near the
checkboxes (:mod:`omr.reader.respondent_ink`) is related to the boxes around it:

*loop*     it goes (nearly) all the way round a box's centre or a point of an option's label
           (``loop_coverage`` of the directions seen from that point hold ink) without covering
           the box's interior (``loop_max_inside``): the option is *circled*;
*crossing* it passes through a box's interior (``cross_min_inside`` pixels) and runs on well
           outside the box (``cross_out_mm``): a tick or stroke drawn long;
*beside*   it comes within ``beside_mm`` of a box without entering its interior or going round
           anything (or, a mark's size and level with the box, within ``beside_far_mm``): where it
           belongs cannot be settled. It is put beside the box with most of its ink close by. A loop
           only round boxes marked anyway explains none of its pieces (a cross beside the next
           row's box can close a "loop" round a crossed box), and a piece of ink that would be the
           rest of a mark cut by printed lines still lies beside a box when it is a mark's size and
           that box's question has no mark of its own.

A stroke belongs to the option it loops, else to the box holding most of it. Ink inside a box
that belongs to strokes of another box (the arc of a circle around the row above, a felt pen
spilling over) is *foreign*. A loop around two options, a stroke through two boxes and ink beside a
box are notes that flag the question(s) concerned (:mod:`omr.reader.settle`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from omr.reader.boxes import PageCalibration
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.loops import BROKEN, find_loops
from omr.reader.ownership import (
    NO_OWNER,
    foreign_ink,
    joined_area,
    level_with,
    loops_touching,
    nearest_box,
    rest_of_marks,
    runs_out,
    spills,
)
from omr.reader.positions import PX_PER_MM, expected_origin
from omr.reader.respondent_ink import InkStrokes, respondent_ink
from omr.template.layout import BOX, Box


@dataclass(frozen=True)
class Surroundings:
    """How the respondent strokes around N checkboxes relate to them (arrays of shape (N,)).

    Attributes
    ----------
    circled : ndarray of float64
        Share of the directions around the box or its label that the loop owned by this box covers
        (0 when no loop is its own).
    crossing : ndarray of bool
        A stroke owned by this box passes through it and runs on well outside it.
    foreign : ndarray of float64
        Share of the ink inside the box that belongs to strokes owned by another box.
    foreign_loop : ndarray of bool
        ...all of that ink from loops (a circle around another box cut through this one).
    spill_from : ndarray of int64
        The box whose stroke (no loop) put the foreign ink here, holding at least twice as much of
        it in its own interior (a long tick from the row below, felt pen spilling over); -1 if none.
    notes : tuple of (box index, reason)
        What the assignment could not settle; each flags the question of that box.
    """

    circled: NDArray[np.float64]
    crossing: NDArray[np.bool_]
    foreign: NDArray[np.float64]
    foreign_loop: NDArray[np.bool_]
    spill_from: NDArray[np.int64]
    notes: tuple[tuple[int, str], ...] = ()
    own_ink: NDArray[np.int64] | None = None
    """Pixels of respondent strokes inside each box that no other box's stroke explains (0 for a
    circled box; ``None``: not measured)."""

    @classmethod
    def nothing(cls, n: int) -> Surroundings:
        """No respondent stroke anywhere near the boxes."""
        return cls(np.zeros(n), np.zeros(n, bool), np.zeros(n), np.zeros(n, bool), np.full(n, NO_OWNER, np.int64))


_MARGIN_MM = 6.0
"""The window searched for respondent ink: every checkbox and label, this much around them."""


def ink_around(
    aligned: NDArray[np.uint8],
    calibration: PageCalibration,
    printed: NDArray[np.uint8],
    boxes: Sequence[Box],
    shifts: NDArray[np.int64],
    *,
    bilevel: bool = False,
    config: ReaderConfig = DEFAULT_CONFIG,
) -> Surroundings:
    """The respondent ink around the checkboxes of a page, related to them.

    Parameters
    ----------
    aligned : (M, N) ndarray of uint8
        The aligned page.
    calibration : PageCalibration
        Its calibration, with its light map (:func:`omr.reader.light.normalise_light`).
    printed : ndarray of uint8
        The template page's printed darkness (:func:`omr.reader.printed.printed_map`).
    boxes : sequence of Box
        The checkboxes of the page (kind ``box``).
    shifts : (N, 2) ndarray of int64
        Their offsets (:func:`omr.reader.positions.locate_boxes`).
    bilevel : bool, optional
        The page was scanned in black and white (:func:`omr.reader.boxes.is_bilevel`).
    config : ReaderConfig, optional

    Returns
    -------
    Surroundings
    """
    n = len(boxes)
    if n == 0:
        return Surroundings.nothing(0)
    origins = np.array([expected_origin(b) for b in boxes], np.int64).reshape(n, 2) + shifts
    rects = [b.rect for b in boxes] + [b.label for b in boxes if b.label is not None]
    m = _MARGIN_MM
    window = (
        int((min(r.y for r in rects) - m) * PX_PER_MM), int((min(r.x for r in rects) - m) * PX_PER_MM),
        int((max(r.bottom for r in rects) + m) * PX_PER_MM) + 1, int((max(r.right for r in rects) + m) * PX_PER_MM) + 1,
    )
    median = np.median(shifts, axis=0) if n else np.zeros(2)
    shift = (int(round(float(median[0]))), int(round(float(median[1]))))
    strokes = respondent_ink(aligned, calibration, printed, window, shift, outlines=origins,
                             bilevel=bilevel, config=config)
    return surroundings(strokes, boxes, origins, config=config)


def _counts(
    strokes: InkStrokes, tops: NDArray[np.int64], lefts: NDArray[np.int64], size: int,
    only: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:
    """(N, K) pixels of every kept stroke (or of the strokes ``only`` says) in the (size × size)
    windows with these top-left corners."""
    n, k = len(tops), len(strokes.stats)
    out = np.zeros((n, k), np.int64)
    ids = np.flatnonzero(strokes.kept if only is None else only)
    if ids.size == 0 or n == 0:
        return out
    st = strokes.stats[ids]
    r0, c0 = tops - strokes.origin[0], lefts - strokes.origin[1]
    hit = ((st[None, :, 0] < (c0 + size)[:, None]) & (st[None, :, 0] + st[None, :, 2] > c0[:, None])
           & (st[None, :, 1] < (r0 + size)[:, None]) & (st[None, :, 1] + st[None, :, 3] > r0[:, None]))
    rows_hit = np.flatnonzero(hit.any(axis=1))  # only the windows some stroke reaches are looked into
    if rows_hit.size == 0:
        return out
    n = rows_hit.size
    remap = np.zeros(k, np.int64)
    remap[ids] = np.arange(1, ids.size + 1)
    lab = strokes.labels
    rows = r0[rows_hit, None] + np.arange(size)[None, :]
    cols = c0[rows_hit, None] + np.arange(size)[None, :]
    valid = (((rows >= 0) & (rows < lab.shape[0]))[:, :, None] & ((cols >= 0) & (cols < lab.shape[1]))[:, None, :])
    win = lab[np.clip(rows, 0, lab.shape[0] - 1)[:, :, None], np.clip(cols, 0, lab.shape[1] - 1)[:, None, :]]
    win = np.where(valid, remap[win], 0)
    m = ids.size + 1
    counts = np.bincount((np.arange(n)[:, None] * m + win.reshape(n, -1)).ravel(), minlength=n * m).reshape(n, m)
    out[np.ix_(rows_hit, ids)] = counts[:, 1:]
    return out


def surroundings(
    strokes: InkStrokes, boxes: Sequence[Box], origins: NDArray[np.int64], *, config: ReaderConfig = DEFAULT_CONFIG
) -> Surroundings:
    """Relate every kept respondent stroke to the checkboxes around it.

    Parameters
    ----------
    strokes : InkStrokes
        From :func:`omr.reader.respondent_ink.respondent_ink`.
    boxes : sequence of Box
        The checkboxes of the page (kind ``box``), with their labels where printed.
    origins : (N, 2) ndarray of int64
        Aligned pixel (row, column) of each box's top-left outer corner, shifts applied.
    config : ReaderConfig, optional
        ``box_inset_mm``, ``loop_*``, ``cross_*`` and ``beside_mm``.

    Returns
    -------
    Surroundings
    """
    n, k = len(boxes), len(strokes.stats)
    if n == 0 or k <= 1 or not strokes.kept.any():
        return Surroundings.nothing(n)
    outer = int(np.ceil(BOX * PX_PER_MM))
    inset = max(1, round(config.box_inset_mm * PX_PER_MM))
    inner = outer - 2 * inset
    inside = _counts(strokes, origins[:, 0] + inset, origins[:, 1] + inset, inner)
    outside = strokes.kept & (inside.max(axis=0) < config.cross_min_inside)  # at most touching a box
    box_ink = _counts(strokes, origins[:, 0], origins[:, 1], outer, outside)
    near, far = (_counts(strokes, origins[:, 0] - r, origins[:, 1] - r, outer + 2 * r, outside) - box_ink
                 for r in (round(config.beside_mm * PX_PER_MM), round(config.beside_far_mm * PX_PER_MM)))
    loops = find_loops(strokes, boxes, origins, inside, area=inner * inner, config=config)
    broken = loops.pop(BROKEN, {})
    owner = np.full(k, NO_OWNER, np.int64)
    circled = np.zeros(n)
    crossing = np.zeros(n, bool)
    notes: list[tuple[int, str]] = []
    is_loop = np.zeros(k, bool)
    for c, found in loops.items():
        is_loop[c] = True
        chosen = sorted(found)
        if len(chosen) == 1:
            owner[c] = chosen[0]
            circled[chosen[0]] = max(circled[chosen[0]], found[chosen[0]])
        elif loops_touching(strokes, c, chosen, origins):
            for i in chosen:  # loops drawn touching (a figure of eight, a column of circles): each is read
                circled[i] = max(circled[i], found[i])
        else:
            what = _names(boxes, chosen)
            notes.extend((i, f"a loop around {what}") for i in chosen)
    marked = inside.sum(axis=1) >= config.cross_min_inside  # a broken loop round a marked box changes nothing
    # ...but a loop cutting the box's corners leaves a few pixels inside: only a mark's worth counts.
    filled = inside.sum(axis=1) >= config.loop_max_inside * inner * inner
    notes.extend((i, f"a faint or broken loop around {_names(boxes, [i])}?") for i in broken
                 if circled[i] == 0 and not filled[i])
    stroked = np.flatnonzero(strokes.kept & ~is_loop & (inside.sum(axis=0) > 0))
    for c in stroked.tolist():
        order = np.argsort(-inside[:, c])
        first = int(order[0])
        owner[c] = first
        second = int(order[1]) if n > 1 else first
        if (second != first and boxes[second].field == boxes[first].field
                and inside[second, c] >= max(config.cross_min_inside, 0.5 * inside[first, c])):
            notes.append((first, f"one stroke through {_names(boxes, [first, second])}"))
            notes.append((second, f"one stroke through {_names(boxes, [first, second])}"))
        if inside[first, c] >= config.cross_min_inside and runs_out(strokes, c, origins[first], outer, config):
            crossing[first] = True
    near += inside * outside[None, :]
    far += inside * outside[None, :]
    answered = _answered(boxes, marked | (circled > 0))
    # A loop only round boxes marked anyway explains nothing (pieces of their own crosses and a cross
    # beside the next row's box can close a "loop" round a crossed box): its strokes may lie beside.
    explained = is_loop & np.array([c in loops and not all(marked[i] for i in loops[c]) for c in range(k)])
    loose = outside & ~explained
    rest = rest_of_marks(strokes, np.flatnonzero(loose), inside, outside, origins, outer, config)
    least = config.beside_min_area_mm2 * PX_PER_MM**2
    area = strokes.stats[:, 4].astype(np.int64)
    # A stroke broken by a lighter spot of the pen is taken with its pieces (not with specks or slivers).
    piece = area >= 0.5 * least
    for c in np.flatnonzero(loose & ~rest & piece & (area < 2 * least) & (far.sum(axis=0) > 0)).tolist():
        area[c] = joined_area(strokes, c, (loose & ~rest | ~strokes.kept) & piece, 2)
    big_enough, own_size = area >= least, area >= 2 * least
    nearest = {c: nearest_box(strokes, c, near[:, c] if near[:, c].any() else far[:, c], origins, outer)
               for c in np.flatnonzero(loose & big_enough & (far.sum(axis=0) > 0)).tolist()}
    for c, i in nearest.items():
        if near[:, c].sum() == 0 and (answered[i] or not (own_size[c] and level_with(strokes, c, origins[i], outer))):
            continue  # 2-3 mm away: only a mark of its own size, level with a box of a question with no mark
        if (rest[c] or is_loop[c]) and (answered[i] or not own_size[c]):
            continue  # a piece of a mark (unless it is a mark's size, beside a question with none)
        notes.append((i, f"ink beside {_names(boxes, [i])}"))
    alien = foreign_ink(strokes, inside, owner, origins, inset, inner)
    foreign = alien.sum(axis=1) / np.maximum(inside.sum(axis=1), 1)
    foreign_loop = (alien.sum(axis=1) > 0) & ~(alien * ~is_loop[None, :] > 0).any(axis=1)
    spilt = spills(inside, alien, owner, is_loop)
    own_ink = (inside - alien).sum(axis=1) * (circled == 0)  # ink in the box that no other box explains
    return Surroundings(circled, crossing, foreign, foreign_loop, spilt, tuple(notes), own_ink.astype(np.int64))


def _answered(boxes: Sequence[Box], marked: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Per box: some box of its question holds a mark or is circled."""
    fields = {b.field for b, m in zip(boxes, marked.tolist(), strict=True) if m}
    return np.array([b.field in fields for b in boxes], bool)


def _names(boxes: Sequence[Box], idx: Sequence[int]) -> str:
    """``value 3``, ``values 2 and 3`` or ``Q9_4 value 2 and Q9_5 value 2``."""
    chosen = [boxes[i] for i in idx]
    if len({b.field for b in chosen}) == 1:
        vals = [b.value for b in chosen]
        return f"value {vals[0]}" if len(vals) == 1 else "values " + ", ".join(vals[:-1]) + f" and {vals[-1]}"
    parts = [f"{b.field} value {b.value}" for b in chosen]
    return ", ".join(parts[:-1]) + f" and {parts[-1]}"
