"""Import an OMRChecker ``template.json`` as a fixed-layout template.

OMRChecker (https://github.com/Udayraj123/OMRChecker, MIT) describes a bubble sheet by field blocks
on a page frame of ``pageDimensions`` pixels. This module places every bubble exactly as OMRChecker's
``src/template.py`` does (``FieldBlock.generate_bubble_grid``): along a block, bubble *k* of field
*j* sits at ``origin + k·bubblesGap`` on the bubbles' axis and ``origin + j·labelsGap`` on the
labels' axis (vertical blocks put a field's bubbles down a column), rounded to whole pixels with
Python's ``round``; its rectangle is ``[x, y, bubbleW, bubbleH]`` (the block's ``bubbleDimensions``,
else the template's). ``fieldType`` supplies ``bubbleValues`` and ``direction`` (QTYPE_INT: 0-9
vertical, QTYPE_MCQ4: A-D horizontal, ...); a block's own keys override it, and ``direction``
defaults to vertical.

Page frame and millimetres: OMRChecker warps every image to the page frame (the paper found by
``CropPage``, the centres of the four ``CropOnMarkers`` marks, the ``FeatureBasedAlignment``
reference image, or the whole image when there is no such preprocessor) and resizes it to
``pageDimensions``. The imported page is that frame fitted into an A4 sheet of the frame's own
orientation: one pixel is ``min(297 / long side, 210 / short side)`` mm.

Answers: every OMRChecker field (``q1``, ``roll3``) becomes one ``single`` field whose option
values are its bubble values (OMRChecker reports several marks concatenated, e.g. ``AC``; a single
field flags them for review). A block whose fields have one bubble each (a yes/no checkbox per
question) becomes one ``multi`` field, one option per OMRChecker field. ``customLabels`` (a roll
number read as ``roll1 + ... + roll9``) have no counterpart in the schema yet: the parts stay single
fields and :attr:`OmrImport.columns` records how to rebuild each OMRChecker output column.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from omr.errors import InputFileError, TemplateError
from omr.template.codes import CodeBook, checked_name, clean_name, unique_values
from omr.template.model import (
    AlignMethod,
    AnyField,
    FixedLayout,
    FrameMarks,
    Label,
    MarkingRule,
    MultiField,
    Option,
    Page,
    PageSize,
    PlacedBox,
    PlacedPage,
    SingleField,
    Template,
)
from omr.template.yamlout import write_template

FIELD_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "QTYPE_INT": (("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), "vertical"),
    "QTYPE_INT_FROM_1": (("1", "2", "3", "4", "5", "6", "7", "8", "9", "0"), "vertical"),
    "QTYPE_MCQ4": (("A", "B", "C", "D"), "horizontal"),
    "QTYPE_MCQ5": (("A", "B", "C", "D", "E"), "horizontal"),
    "QTYPE_MCQ4_RTL": (("D", "C", "B", "A"), "horizontal"),
    "QTYPE_MCQ5_RTL": (("E", "D", "C", "B", "A"), "horizontal"),
}
"""OMRChecker's ``FIELD_TYPES`` (src/constants/common.py): bubble values and direction."""

DEFAULT_PROCESSING_SIZE = (666, 820)
"""OMRChecker's default ``config.dimensions.processing_width`` and ``processing_height``."""

_RANGE = re.compile(r"^([^.\d]+)(\d+)\.{2,3}(\d+)$")
_GEOMETRIC = {"CropOnMarkers": "marks", "CropPage": "page", "FeatureBasedAlignment": "features"}
_FILTERS = {"GaussianBlur", "MedianBlur", "Levels"}
_A4_LONG, _A4_SHORT = 297.0, 210.0
_DECIMALS = 3


# -- what template.json says ----------------------------------------------------------------------
@dataclass(frozen=True)
class OmrBubble:
    """One bubble of an OMRChecker field: its value and rectangle in ``pageDimensions`` pixels."""

    value: str
    x: int
    y: int
    width: float
    height: float


@dataclass(frozen=True)
class OmrField:
    """One OMRChecker field (an output column unless a custom label joins it with others)."""

    label: str
    block: str
    bubbles: tuple[OmrBubble, ...]
    empty_value: str

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(b.value for b in self.bubbles)


@dataclass(frozen=True)
class OmrPreprocessor:
    """One entry of ``preProcessors``: its name and options."""

    name: str
    options: Mapping[str, Any]


@dataclass(frozen=True)
class OmrSheet:
    """An OMRChecker template.json, with every bubble placed."""

    page_width: int
    page_height: int
    fields: tuple[OmrField, ...]
    custom_labels: Mapping[str, tuple[str, ...]]
    output_columns: tuple[str, ...]
    preprocessors: tuple[OmrPreprocessor, ...]
    empty_value: str

    def field(self, label: str) -> OmrField:
        for f in self.fields:
            if f.label == label:
                return f
        raise KeyError(label)


def parse_field_string(text: str) -> list[str]:
    """OMRChecker's field string: ``"q1..4"`` → ``q1, q2, q3, q4``; anything else is one label."""
    if "." not in text:
        return [text]
    match = _RANGE.match(text)
    if match is None:
        raise TemplateError(f"field string {text!r} is neither a label nor a range like 'q1..4'")
    prefix, start, end = match.group(1), int(match.group(2)), int(match.group(3))
    if start >= end:
        raise TemplateError(f"field string {text!r}: the range must go up (start {start} ≥ end {end})")
    return [f"{prefix}{n}" for n in range(start, end + 1)]


def parse_field_strings(texts: Sequence[str]) -> list[str]:
    """Every label of a list of field strings, in order."""
    return [label for text in texts for label in parse_field_string(str(text))]


def _pair(value: object, what: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise TemplateError(f"{what}: expected two numbers [width, height], not {value!r}")
    return float(value[0]), float(value[1])


def _block_bubbles(
    name: str, block: Mapping[str, Any], bubble_size: tuple[float, float], empty: str,
) -> list[OmrField]:
    """The fields of one field block, placed as ``FieldBlock.generate_bubble_grid`` places them."""
    where = f"fieldBlocks.{name}"
    merged: dict[str, Any] = {"direction": "vertical"}
    field_type = block.get("fieldType")
    if field_type is not None:
        if field_type not in FIELD_TYPES:
            raise TemplateError(f"{where}.fieldType: {field_type!r} is not one of {', '.join(FIELD_TYPES)}")
        values, direction = FIELD_TYPES[field_type]
        merged.update(bubbleValues=list(values), direction=direction)
    merged.update(block)
    for key in ("origin", "bubblesGap", "labelsGap", "fieldLabels", "bubbleValues"):
        if key not in merged:
            raise TemplateError(f"{where}: '{key}' is missing (OMRChecker requires it)")
    direction = merged["direction"]
    if direction not in ("vertical", "horizontal"):
        raise TemplateError(f"{where}.direction: {direction!r} is neither 'vertical' nor 'horizontal'")
    width, height = _pair(merged.get("bubbleDimensions", bubble_size), f"{where}.bubbleDimensions")
    ox, oy = _pair(merged["origin"], f"{where}.origin")
    bubbles_gap, labels_gap = float(merged["bubblesGap"]), float(merged["labelsGap"])
    along = 1 if direction == "vertical" else 0  # the axis a field's bubbles run along
    empty_value = str(merged.get("emptyValue", empty))
    fields = []
    lead = [ox, oy]
    for label in parse_field_strings(merged["fieldLabels"]):
        point = lead.copy()
        bubbles = []
        for value in merged["bubbleValues"]:
            bubbles.append(OmrBubble(str(value), round(point[0]), round(point[1]), width, height))
            point[along] += bubbles_gap
        fields.append(OmrField(label, name, tuple(bubbles), empty_value))
        lead[1 - along] += labels_gap
    return fields


def parse_sheet(data: Mapping[str, Any], source: str = "template.json") -> OmrSheet:
    """Read an OMRChecker template (the parsed JSON) into an :class:`OmrSheet`.

    Raises
    ------
    TemplateError
        When a required key is missing or a field label is used twice; the message names ``source``.
    """
    try:
        pw, ph = _pair(data.get("pageDimensions"), "pageDimensions")
        bubble_size = _pair(data.get("bubbleDimensions"), "bubbleDimensions")
        empty = str(data.get("emptyValue", ""))
        blocks = data.get("fieldBlocks")
        if not isinstance(blocks, dict) or not blocks:
            raise TemplateError("fieldBlocks: no field blocks (OMRChecker requires at least one)")
        fields: list[OmrField] = []
        for name, block in blocks.items():
            if not isinstance(block, dict):
                raise TemplateError(f"fieldBlocks.{name}: expected an object")
            fields += _block_bubbles(str(name), block, bubble_size, empty)
        labels = [f.label for f in fields]
        twice = sorted({x for x in labels if labels.count(x) > 1})
        if twice:
            raise TemplateError(f"fieldBlocks: field labels {twice} are used in more than one place")
        custom = {str(k): tuple(parse_field_strings(v)) for k, v in (data.get("customLabels") or {}).items()}
        for key, parts in custom.items():
            missing = [p for p in parts if p not in labels]
            if missing:
                raise TemplateError(f"customLabels.{key}: {missing} are not labels of any field block")
        pre = tuple(OmrPreprocessor(str(p["name"]), dict(p.get("options") or {}))
                    for p in data.get("preProcessors") or [])
    except TemplateError as exc:
        raise TemplateError(f"{source}: {exc.message}") from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise TemplateError(f"{source}: not an OMRChecker template ({exc!r}); check it against "
                            "OMRChecker's template schema") from exc
    return OmrSheet(
        page_width=round(pw), page_height=round(ph), fields=tuple(fields), custom_labels=custom,
        output_columns=tuple(parse_field_strings(data.get("outputColumns") or [])),
        preprocessors=pre, empty_value=empty,
    )


def processing_size(config: Mapping[str, Any] | None) -> tuple[int, int]:
    """``config.dimensions.processing_width/height`` of an OMRChecker config.json (its defaults otherwise)."""
    dims = (config or {}).get("dimensions") or {}
    return (int(dims.get("processing_width", DEFAULT_PROCESSING_SIZE[0])),
            int(dims.get("processing_height", DEFAULT_PROCESSING_SIZE[1])))


# -- the OMRChecker output columns, in our codes ---------------------------------------------------
@dataclass(frozen=True)
class ColumnPart:
    """Where one part of an OMRChecker output column is read in the imported template.

    ``option`` is None for a single field (its answer, translated by ``values`` from our value codes
    to OMRChecker's bubble values); for a one-bubble field it names the option of the ``multi``
    field standing for it (``value`` when chosen, ``empty`` when not).
    """

    code: str
    values: Mapping[str, str]
    empty: str
    option: str | None = None


@dataclass(frozen=True)
class OmrColumn:
    """One column of OMRChecker's Results CSV: the concatenation of its parts' answers."""

    name: str
    parts: tuple[ColumnPart, ...]


# -- building the template ----------------------------------------------------------------------
@dataclass(frozen=True)
class MarkSpec:
    """The corner-mark settings of a ``CropOnMarkers`` step, as this template uses them."""

    image: str
    width_mm: float


@dataclass(frozen=True)
class OmrImport:
    """An imported OMRChecker template and what a reader of its results needs to know."""

    template: Template
    header: str
    columns: tuple[OmrColumn, ...]
    dropped_preprocessors: tuple[str, ...]


def frame_scale(page_width: int, page_height: int) -> float:
    """Millimetres per ``pageDimensions`` pixel: the frame fitted into A4 in its own orientation."""
    long_side, short_side = max(page_width, page_height), min(page_width, page_height)
    return min(_A4_LONG / long_side, _A4_SHORT / short_side)


def align_methods(preprocessors: Sequence[OmrPreprocessor], blank: bool) -> tuple[list[AlignMethod], list[str]]:
    """The ``layout.align`` list for OMRChecker preprocessors, and the preprocessors not carried over.

    The last geometric preprocessor (CropOnMarkers, CropPage, FeatureBasedAlignment) defines the page
    frame; earlier ones only prepare its input, so they are not valid alternatives (``page`` after
    ``CropPage, CropOnMarkers`` would take the paper's edges for the marks' centres). With none the
    image is the frame (``image``). A blank image adds ``features``.
    """
    methods: list[AlignMethod] = []
    dropped: list[str] = []
    geometric = [p for p in preprocessors if p.name in _GEOMETRIC]
    for p in preprocessors:
        if p.name not in _GEOMETRIC:
            dropped.append(f"{p.name} (an image filter; this reader needs none)" if p.name in _FILTERS
                           else f"{p.name} (unknown to this importer)")
        elif p is not geometric[-1]:
            dropped.append(f"{p.name} (runs before {geometric[-1].name}, which alone defines the page frame)")
    last: AlignMethod = "image"
    if geometric:
        name = _GEOMETRIC[geometric[-1].name]
        last = "marks" if name == "marks" else "page" if name == "page" else "features"
    methods.append(last)
    if blank and "features" not in methods:
        methods.append("features")
    return methods, dropped


def _mm(px: float, scale: float) -> float:
    return round(px * scale, _DECIMALS)


def _box(field: str, value: str, bubble: OmrBubble, scale: float, size: tuple[float, float]) -> PlacedBox:
    x, y = _mm(bubble.x, scale), _mm(bubble.y, scale)
    w = min(_mm(bubble.width, scale), round(size[0] - x, _DECIMALS))
    h = min(_mm(bubble.height, scale), round(size[1] - y, _DECIMALS))
    if x < 0 or y < 0 or w <= 0 or h <= 0:
        raise TemplateError(f"field {field}: bubble {value!r} at ({bubble.x}, {bubble.y}) px lies outside the "
                            "page frame (pageDimensions)")
    return PlacedBox(field=field, value=value, rect=(x, y, w, h), shape="circle")


def _label(text: str) -> Label:
    return Label(vi=text, en=text)


def build_template(
    sheet: OmrSheet, name: str, title: str, *, source: str,
    marks: MarkSpec | None = None, blank: str | None = None,
) -> OmrImport:
    """The fixed-layout :class:`Template` of an OMRChecker sheet.

    Parameters
    ----------
    sheet
        The parsed template.json.
    name, title
        The template's name (``^[a-z0-9][a-z0-9-]*$``) and title.
    source
        Where it came from (``layout.source``).
    marks
        The corner mark image (relative to the YAML) and width, when the sheet uses CropOnMarkers.
    blank
        The blank page image (relative to the YAML), when there is one.
    """
    scale = frame_scale(sheet.page_width, sheet.page_height)
    size = (_mm(sheet.page_width, scale), _mm(sheet.page_height, scale))
    methods, dropped = align_methods(sheet.preprocessors, blank is not None)
    if "marks" in methods and marks is None:
        raise TemplateError(f"{source}: CropOnMarkers needs the marker image (its relativePath) next to the template")
    part_of = {part: (key, i, len(parts)) for key, parts in sheet.custom_labels.items()
               for i, part in enumerate(parts, start=1)}
    book = CodeBook()
    fields: list[AnyField] = []
    boxes: list[PlacedBox] = []
    parts: dict[str, ColumnPart] = {}
    blocks = list(dict.fromkeys(f.block for f in sheet.fields))
    for block in blocks:
        members = [f for f in sheet.fields if f.block == block]
        if all(len(f.bubbles) == 1 for f in members) and len(members) >= 2:
            code = book.code(f"{block}", fallback="B")
            values = unique_values([f.label for f in members])
            options = [Option(value=v, label=_label(f.label)) for v, f in zip(values, members, strict=True)]
            fields.append(MultiField(
                kind="multi", code=code, label=_label(block), options=options,
                note=f"OMRChecker block {block}: one bubble per field ({', '.join(f.label for f in members)}); "
                     "an option chosen = that field marked",
            ))
            for v, f in zip(values, members, strict=True):
                boxes.append(_box(code, v, f.bubbles[0], scale, size))
                parts[f.label] = ColumnPart(code, {v: f.bubbles[0].value}, f.empty_value, option=v)
            continue
        for f in members:
            if len(f.bubbles) < 2:
                raise TemplateError(f"{source}: field {f.label} (block {block}) has one bubble, alone in its block; "
                                    "a single-choice field needs two options (give the block a second field)")
            code = book.code(f.label, fallback="Q")
            values = unique_values(list(f.values))
            note = None
            if f.label in part_of:
                key, i, n = part_of[f.label]
                note = f"OMRChecker field {f.label}, part {i} of {n} of its custom label {key!r} (see the header)"
            elif code != f.label:
                note = f"OMRChecker field {f.label!r}"
            fields.append(SingleField(
                kind="single", code=code, label=_label(f.label), note=note,
                options=[Option(value=v, label=_label(b.value)) for v, b in zip(values, f.bubbles, strict=True)],
            ))
            boxes += [_box(code, v, b, scale, size) for v, b in zip(values, f.bubbles, strict=True)]
            parts[f.label] = ColumnPart(code, dict(zip(values, f.values, strict=True)), f.empty_value)
    columns = _columns(sheet, parts)
    frame_marks = None
    if marks is not None and "marks" in methods:
        frame_marks = FrameMarks(image=marks.image, width=marks.width_mm,
                                 centres=[(0.0, 0.0), (size[0], 0.0), size, (0.0, size[1])])
    layout = FixedLayout(
        page_size=PageSize(width=size[0], height=size[1]), align=methods, marks=frame_marks,
        pages=[PlacedPage(boxes=boxes, blank=blank)], source=source,
    )
    template = Template(
        name=name, version="1", title=_label(title), marking=MarkingRule(mode="fill"),
        pages=[Page(fields=fields)], layout=layout,
        note="imported from OMRChecker; question texts are OMRChecker's field labels",
    )
    header = _header(sheet, source, scale, methods, dropped, marks, columns)
    return OmrImport(template, header, columns, tuple(dropped))


def _columns(sheet: OmrSheet, parts: Mapping[str, ColumnPart]) -> tuple[OmrColumn, ...]:
    """OMRChecker's output columns (``outputColumns`` or its natural sort) in terms of our fields."""
    joined = {p for ps in sheet.custom_labels.values() for p in ps}
    names = list(sheet.output_columns) or sorted(
        [f.label for f in sheet.fields if f.label not in joined] + list(sheet.custom_labels), key=_natural)
    out = []
    for name in names:
        labels = sheet.custom_labels.get(name, (name,))
        out.append(OmrColumn(name, tuple(parts[label] for label in labels if label in parts)))
    return tuple(out)


def _natural(label: str) -> tuple[str, int]:
    """OMRChecker's ``custom_sort_output_columns``: the non-digit prefix, then the number after it."""
    match = re.match(r"([^\d]+)(\d*)", label)
    if match is None:
        return (label, 0)
    return (match.group(1), int(match.group(2)) if match.group(2) else 0)


def _header(
    sheet: OmrSheet, source: str, scale: float, methods: list[AlignMethod], dropped: list[str],
    marks: MarkSpec | None, columns: tuple[OmrColumn, ...],
) -> str:
    lines = [
        f"Imported from {source} by `sipas template import omrchecker`.",
        f"Page frame: OMRChecker's pageDimensions {sheet.page_width} x {sheet.page_height} px fitted into A4; "
        f"1 px = {scale:.6f} mm. Positions are mm from the frame's top-left corner.",
        "Each rect is OMRChecker's bubble area (origin + gaps, bubbleDimensions): check on an overlay that it "
        "covers the printed bubble.",
        f"Alignment: {', '.join(methods)} (from preProcessors "
        f"{', '.join(p.name for p in sheet.preprocessors) or 'none: the image is the page frame'}).",
    ]
    lines += [f"Not carried over: {d}." for d in dropped]
    if marks is not None:
        lines.append(f"Marks: centres at the frame's corners (OMRChecker warps the mark centres there); width "
                     f"{marks.width_mm:g} mm is estimated from sheetToMarkerWidthRatio - check it.")
    joined = [c for c in columns if len(c.parts) > 1]
    if joined:
        lines.append("OMRChecker joins these fields into one output column (customLabels):")
        lines += [f"  {c.name} = {' + '.join(p.code for p in c.parts)}" for c in joined]
    lines.append("To check and edit: the title, question labels (OMRChecker has only field labels), and which "
                 "single fields should be grids.")
    return "\n".join(lines)


# -- files ----------------------------------------------------------------------------------------
def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{path}: not valid JSON (line {exc.lineno}): fix the {what}") from exc
    if not isinstance(data, dict):
        raise InputFileError(f"{path}: the {what} must be a JSON object")
    return data


def _read_gray(path: Path, what: str) -> np.ndarray[Any, np.dtype[np.uint8]]:
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise InputFileError(f"{path}: cannot read the {what} as an image (PNG, JPEG or TIFF expected)")
    return np.asarray(image, dtype=np.uint8)


def _write_frame_image(source: Path, target: Path, size: tuple[int, int], what: str) -> None:
    """``source`` resized to the page frame in pixels (as OMRChecker resizes it), written as PNG."""
    image = _read_gray(source, what)
    resized = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(target), resized):
        raise InputFileError(f"{target}: cannot write the blank page image")


def _marker_width_mm(options: Mapping[str, Any], marker: Path, frame_mm: float, processing_width: int) -> float:
    """The printed mark width: the frame width / sheetToMarkerWidthRatio, else the marker image's share.

    OMRChecker scales the marker to ``processing_width / sheetToMarkerWidthRatio`` pixels of an image
    ``processing_width`` wide (then tries 35-100 % of that); the image is about the page frame.
    """
    ratio = options.get("sheetToMarkerWidthRatio")
    if ratio:
        return round(frame_mm / float(ratio), 2)
    width_px = int(_read_gray(marker, "marker image").shape[1])
    return round(frame_mm * width_px / processing_width, 2)


def import_omrchecker(
    template_json: Path, out: Path, *, blank: Path | None = None, config: Path | None = None,
    name: str | None = None, title: str | None = None,
) -> OmrImport:
    """Import ``template_json`` and write ``out`` (YAML) with its images next to it.

    Writes the marker image (``<name>-mark.<ext>``, for CropOnMarkers) and the blank page
    (``<name>-p1.png``: ``blank`` or the FeatureBasedAlignment reference, resized to the frame).
    ``config`` defaults to a config.json beside the template (OMRChecker's processing size).

    Raises
    ------
    InputFileError
        When a file cannot be read or written.
    TemplateError
        When template.json is not a valid OMRChecker template or the result does not validate.
    BadArgumentsError
        When ``name`` is not a valid template name.
    """
    data = _read_json(template_json, "OMRChecker template")
    sheet = parse_sheet(data, str(template_json))
    config_path = config if config is not None else template_json.with_name("config.json")
    config_data = _read_json(config_path, "OMRChecker config") if config_path.is_file() else None
    if config is not None and config_data is None:
        raise InputFileError(f"{config}: no such OMRChecker config file")
    proc_width, _ = processing_size(config_data)
    name = checked_name(name or clean_name(template_json.parent.name if template_json.stem == "template"
                                           else template_json.stem))
    base = template_json.parent
    frame = (sheet.page_width, sheet.page_height)
    scale = frame_scale(*frame)
    marks = blank_name = None
    geometric = [p for p in sheet.preprocessors if p.name in _GEOMETRIC]
    last = geometric[-1] if geometric else None
    if last is not None and last.name == "CropOnMarkers":
        marker = base / str(last.options.get("relativePath", "omr_marker.jpg"))
        if not marker.is_file():
            raise InputFileError(f"{marker}: the CropOnMarkers marker image is missing "
                                 f"(relativePath in {template_json})")
        mark_file = out.with_name(f"{name}-mark{marker.suffix.lower()}")
        mark_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(marker, mark_file)
        marks = MarkSpec(mark_file.name, _marker_width_mm(last.options, marker, frame[0] * scale, proc_width))
    reference = None
    if last is not None and last.name == "FeatureBasedAlignment":
        reference = base / str(last.options.get("reference", ""))
        if not reference.is_file():
            raise InputFileError(f"{reference}: the FeatureBasedAlignment reference image is missing")
    picture = blank if blank is not None else reference
    if picture is not None:
        blank_file = out.with_name(f"{name}-p1.png")
        _write_frame_image(picture, blank_file, frame, "blank page image")
        blank_name = blank_file.name
    result = build_template(sheet, name, title or f"OMRChecker sheet {template_json.parent.name}",
                            source=f"OMRChecker {template_json.parent.name}/{template_json.name}",
                            marks=marks, blank=blank_name)
    write_template(result.template, result.header, out)
    return result
