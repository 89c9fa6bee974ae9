"""Every threshold of the page reader, in one frozen dataclass with documented defaults.

Units: lengths in millimetres on the template frame (resolution-free), darkness and coverage as
shares in 0..1. Darkness is *normalised per page*: 0 is the local paper level around a box, 1 is
the page's print black (measured on the corner markers and QR), so a grey photocopy, a shaded
grid row and a white office scan give the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ALIGNED_DPI = 150
"""Resolution of :attr:`omr.types.PageReading.aligned` (template frame, top-left origin)."""


@dataclass(frozen=True)
class ReaderConfig:
    """Thresholds of every stage; the defaults were tuned on rendered, marked and degraded pages.

    The values of the "light and respondent ink around the boxes" block were chosen on the
    *tuning* respondent and scanner families of ``sipas synth`` only (``--families tuning``,
    sipas-2023, seeds 101 and 202, 6 forms per quality), never on the evaluation families."""

    # -- blank backs ---------------------------------------------------------------------------
    blank_max_ink: float = 0.002
    """A page whose ink share (dark pixels away from the edges) is below this is a blank back."""
    blank_ink_darkness: float = 0.35
    """A pixel is ink for the blank test when darker than paper by this share of the paper level."""

    # -- alignment -----------------------------------------------------------------------------
    detect_long_side_px: int = 2000
    """The working copy: the image reduced by the smallest integer factor that brings its long side to
    at most this (a 300-dpi A4 scan, with margins, is halved to about 150 dpi)."""
    min_markers: int = 3
    """Corner markers needed for a marker homography (3 of 4 still gives a checked fit)."""
    max_residual_mm: float = 0.6
    """Largest RMS reprojection error of the marker corners accepted (mm on the template)."""
    max_scale_spread: float = 0.25
    """Largest relative difference of the page scale along x and y (rejects absurd fits)."""
    feature_dpi: int = 75
    """Resolution of the rendered blank page the feature-matching fallback matches against."""
    feature_min_inliers: int = 40
    """Inlier matches the feature-matching fallback needs to trust its homography."""
    feature_max_residual_mm: float = 1.0
    """Largest median reprojection error of the feature inliers (mm)."""

    # -- checkbox measures ---------------------------------------------------------------------
    box_search_mm: float = 1.0
    """How far (mm) a box outline is searched around its expected place (curl, residual skew)."""
    box_inset_mm: float = 0.55
    """Interior of a box: its outer edge inset by this (outline 0.21 mm + blur + shift)."""
    outline_match_min: float = 0.45
    """Outline correlation a box needs for its own position refinement to be trusted."""
    paper_shade: float = 0.18
    """How much darker than the page background (share of the contrast) a box's own paper may be
    (printed row shading is 0.07-0.12; darker is ink spilled around a box filled over)."""
    ink_weak: float = 0.1
    """Normalised darkness above which a pixel counts as (possibly faint) ink."""
    ink_core_share: float = 0.5
    """For the fill measures, ink must reach this share of the box's own stroke darkness."""
    ink_noise_sigmas: float = 4.0
    """...and above this many page noise sigmas (noisy photos raise the ink threshold)."""
    line_band: float = 0.1
    """Outer share of the interior where a straight full-length line is taken as outline residue."""
    line_fill: float = 0.7
    """Share of a row or column that must be ink for it to count as a straight line (streak)."""
    streak_min_boxes: int = 3
    """A straight line through a box is a scanner streak only if it crosses this many boxes."""
    side_line_fill: float = 0.45
    """...and near a side, where a shifted or broken (fax) outline is expected, this share."""
    ink_texture_sigmas: float = 3.0
    """Ink must also exceed this many sigmas of the paper texture around the box (dither, speckle)."""
    ink_texture_max: float = 0.3
    """...but the texture never raises the ink threshold above this."""

    # -- light and respondent ink around the boxes (omr/reader/light.py, respondent_ink.py, around.py)
    light_window_mm: float = 9.0
    """Width of the grey closing that estimates the local paper level (wider than a box filled over
    with its spill, a grid row and a line of text; narrower than a hand's shadow on a photo). Set from
    the layout's sizes; on the tuning photo sets (seeds 101, 202) it halves the clear fields sent to
    review and removes the phantom marks read in shadows."""
    light_floor: float = 0.3
    """The local paper level is never taken darker than the page's coarse background by more than
    this share of the contrast (a blot of felt pen is not a shadow). Not tuned: a safety bound."""
    printed_grow_px: int = 2
    """The template's printed ink is grown by this many aligned pixels (0.34 mm) before it is taken
    away from the scan (alignment residual, scanner blur)."""
    respondent_ink: float = 0.22
    """Darkness (share of the page contrast) above the grown print that is respondent ink (0.35 lost
    light pencil beside a box on the tuning sets; 0.22 keeps it, above photo noise and shading)."""
    respondent_min_span_mm: float = 1.2
    """A respondent stroke narrower and lower than this is a speck, not looked at around the boxes."""
    loop_min_mm: float = 3.5
    """A stroke that can go round a box or a label is at least this wide and high."""
    loop_coverage: float = 0.75
    """Share of the directions around a box's centre or a point of its label that must hold the ink
    of one stroke for it to be a loop around it (an open loop leaves a gap of up to a quarter; a
    convex loop seen from outside covers under half). All circles of the tuning sets (seeds 101 and
    202, clean/office/photo) are found; on fax, thin loops broken by the thresholding are lost."""
    loop_doubt: float = 0.5
    """Ink round a box covering this share of the directions (but less than ``loop_coverage``), on
    both its sides and level with it, is a faint or broken loop: the question is flagged (light
    pencil circles and flat loops round a grid box on the tuning sets lose their top and bottom arcs
    to the outlines of the rows above and below; no mark of another box lies level with a box on
    both sides within reach, so this flags nothing else on the tuning sets)."""
    loop_sure: float = 0.92
    """...a loop covering this share is sure (its box gets full confidence)."""
    loop_outline_mm: float = 0.5
    """A loop's arc ending this close to its box's printed outline goes on under it (a tight loop's
    stretches along the outline vanish with the print, leaving arcs that end on it)..."""
    loop_tight_mm: float = 1.3
    """...when the loop keeps this close to the outline all round (a wider one missing its top and
    bottom is faint, and is flagged rather than read)."""
    loop_max_inside: float = 0.12
    """A loop leaves the box it goes round empty: a stroke covering more of the interior is a mark."""
    cross_min_inside: int = 12
    """Pixels (aligned, 0.03 mm² each) a stroke must leave inside a box to pass through it."""
    cross_out_mm: float = 1.0
    """...and how far beyond the box it must run to be a long tick or stroke (not a mark in the box)."""
    cross_confidence: float = 0.7
    """Confidence of a box marked by a long stroke only (the box measures alone said empty). Not
    calibrated: above ``box_accept`` so that an unambiguous long tick is read."""
    beside_mm: float = 2.0
    """Ink this close to a box's outline, in no box and round nothing, is a mark beside the box (the
    tuning sets' "beside" marks touch or nearly touch the outline)."""
    beside_far_mm: float = 3.0
    """...and so is a stroke of twice ``beside_min_area_mm2`` level with the box this close, when the
    box's question has no mark (ticks drawn 2-3 mm beside a box on the tuning sets were accepted as
    blanks; in answered questions, small curls that far off only sent clear answers to review)."""
    beside_min_area_mm2: float = 0.8
    """...if the stroke holds this much ink (smaller is a stray speck)."""
    unread_ink_px: int = 24
    """A box the measures call empty but holding this many pixels (0.7 mm²) of a respondent stroke of
    its own flags its question (a small light pencil loop cutting through the box on the tuning photo
    set was read as blank)."""
    foreign_share: float = 0.8
    """A box whose inside ink belongs to another box's strokes by this share is not marked itself."""
    foreign_confidence: float = 0.8
    """Confidence of a box whose only ink is the arc of another box's loop (read as empty)."""

    # -- checkbox decision (piecewise-linear ramps: below lo → 0, above hi → 1) ---------------
    presence_cov: tuple[float, float] = (0.012, 0.045)
    """Line-free ink coverage that makes a box "not empty"."""
    presence_extent: tuple[float, float] = (0.28, 0.5)
    """Size of the largest ink stroke (share of the interior side): a dot is not a mark."""
    fill_cov: tuple[float, float] = (0.55, 0.78)
    """Coverage of the interior for "filled over"."""
    fill_centre: tuple[float, float] = (0.65, 0.88)
    """Coverage of the central half for "filled over"."""
    fill_white: tuple[float, float] = (0.06, 0.2)
    """Largest blank spot (share of the half side): a cross leaves white triangles, a fill does not."""
    faint_strength: tuple[float, float] = (0.25, 0.5)
    """Mean darkness of the ink: below the ramp a mark is faint (light pencil) and less certain."""
    ghost_strength: tuple[float, float] = (0.14, 0.18)
    """On a bilevel scan (fax, 1-bit), where a pen stroke stays solid black, ink paler than this ramp
    is made of isolated dots (a dithered shading, the last of a light pencil): its confidence falls
    below ``box_accept``."""
    ambiguous_margin: float = 0.2
    """A box whose best and second-best state scores differ by less than this is ambiguous."""
    box_accept: float = 0.5
    """A field is accepted automatically only if every box in it has at least this confidence..."""
    field_accept: float = 0.99
    """...and the calibrated probability that its value is right (``omr/models/mark_calibration.json``,
    fitted by ``tools/calibrate.py`` on the tuning families only) is at least this."""
    residue_stand_out: float = 0.03
    """In a question whose boxes are all empty, a box whose line-free ink share exceeds its siblings'
    (see ``residue_texture``) by this much holds the dots of a faint mark: the question is flagged."""
    residue_texture: float = 0.5
    """...the siblings' median ink share is raised by this share (a fax's dot texture varies)."""
    residue_min_spread: float = 0.25
    """...and the dots, gaps of two pixels bridged, must span this share of the box (not a speck)..."""
    residue_scatter: float = 0.1
    """...and this much more than the largest single stroke does (scattered dots, not one pen dot),
    unless the ink is paler than the faint ramp (``faint_strength``) starts."""
    dot_min_extent: float = 0.2
    """In a question whose boxes are all empty, a box whose ink stands out from its siblings'
    (``residue_stand_out``, ``residue_texture``) as one compact stroke (``residue_scatter``) this
    wide (share of the interior side, 0.7 mm: more than a toner speck)..."""
    dot_min_strength: float = 0.2
    """...and this dark holds a respondent's firm dot (maybe their answer): the question is
    flagged. On the tuning sets (seed 778 with ten times the dots, clean/fax; seed 777 office) the
    dots measure 0.25-0.35 wide and 0.21-0.51 dark; a fax's shaded-row dither is 0.11-0.16 dark and
    scattered."""
    residue_page_questions: int = 2
    """When a page has questions with such dots and, counting those, this many questions with dots or
    with marks paler than ``faint_strength`` starts, every blank question of the page is flagged."""
    unanswered_share: float = 0.75
    """When this share of a page's checkbox questions is blank, the blank ones go to review."""
    unanswered_min_fields: int = 4
    """...if the page has at least this many checkbox questions."""

    # -- comb digits ---------------------------------------------------------------------------
    digit_accept: float = 0.85
    """A comb cell's reading is sure at this probability. Calibrated on synthetic sets written with the
    held-out digits (seeds 5001, 31337 and 4242 at every quality, not the bench's: 704 written dates,
    5,632 digits) with the calendar rules below: 99.4 % of the dates accepted were right (the only
    error, in all four qualities, is one writer's 5 that the model reads as 3 at 0.999), 7.5 % of
    dates went to review, 1.8 % of digits were unsure (at the digit model's own 0.9: 99.4 %, 10.1 %,
    2.1 %)."""
    digit_settle_share: float = 0.9
    """An unsure cell of a date is settled by the calendar only when the one valid date its two best
    readings leave holds this share of the probability of every valid date its ten readings spell."""
    digit_settle_max: int = 2
    """At most this many unsure cells of a date are settled by the calendar."""
    date_years: tuple[int, int] = (2020, 2035)
    """Years a date field may hold (a date outside them, or no calendar date, is flagged)."""
    date_latest: dt.date | None = None
    """The latest date a date field may hold; ``None`` is the day the page is read (a respondent cannot
    date a returned form in the future, so a 2 read as 3 in "2025" is flagged, not taken for 2035)."""

    # -- text areas ----------------------------------------------------------------------------
    text_inset_mm: float = 0.8
    """Inset of a writing area before looking for handwriting (skips the printed outline)."""
    text_min_ink: float = 0.004
    """Share of the writing area that must be ink (after removing straight lines) to be written."""
    text_min_stroke_mm: float = 2.0
    """The largest ink component must span at least this (a dot or speck is not writing)."""
    ocr_accept: float = 0.97
    """Tesseract confidence at which an OCR'd handwriting guess is accepted without review."""


DEFAULT_CONFIG = ReaderConfig()
