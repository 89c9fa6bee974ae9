"""Import a queXF banding XML (with the form's original PDF) as a fixed-layout template.

queXF (https://quexf.acspri.org.au) keeps a form's "banding" as XML: ``<queXF><questionnaire>``
holds ``<section id>`` (``title``, ``label``) and one ``<page>`` per printed page (``id`` = the
Interleaved 2 of 5 barcode printed on it, the corner positions ``tlx``...``bly``) with its
``<boxgroup>``s (``type``, ``width``, ``varname``, ``sortorder``, ``label``, ``groupsection
idref``), each a list of ``<box>`` (``tlx tly brx bry`` and ``value``, ``label``). queXF rasterises
the original PDF at 300 dpi (``gs -r300`` in ``newquestionnaire``) and bands in those pixels, so a
position in mm is ``px × 25.4 / 300``.

Box group types (queXF's ``boxgrouptypes``) and what they become:

====  =================  ===========================================================
type  queXF              imported as
====  =================  ===========================================================
1     single choice      ``single`` (consecutive groups sharing options and a
                         "question : item" label become one ``grid``)
2     multiple choice    ``multi``
3     text (letter comb) ``text`` over the comb's outline (the schema has no letter
                         comb yet; the cells are listed in the field's note)
4     number (comb)      ``digits``, one comb cell per box, left to right
5     barcode            not imported (it identifies the page: ``barcode``)
6     long text          ``text`` over the box
====  =================  ===========================================================
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from omr._tools import which_or_raise
from omr.errors import InputFileError, TemplateError
from omr.pdfpages import pdf_page_infos
from omr.template.codes import CodeBook, checked_name, clean_code, clean_name, unique_values
from omr.template.layout import MM_PER_PT
from omr.template.model import (
    PAGE_SIZES,
    AnyField,
    DigitsField,
    FixedLayout,
    GridField,
    GridRow,
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
    TextField,
)
from omr.template.yamlout import write_template

BANDING_DPI = 300.0
"""The resolution queXF bands at (``newquestionnaire`` renders the PDF with ``gs -r300``)."""

BLANK_DPI = 150
"""The resolution of the blank page images written next to the YAML."""

SINGLE, MULTIPLE, TEXT, NUMBER, BARCODE, LONGTEXT = 1, 2, 3, 4, 5, 6
_TYPE_NAMES = {SINGLE: "single choice", MULTIPLE: "multiple choice", TEXT: "text", NUMBER: "number",
               BARCODE: "barcode", LONGTEXT: "long text"}
_DECIMALS = 3
_SIZE_TOLERANCE_MM = 1.5
_LINE_MM = 8.0


# -- what the banding XML says -------------------------------------------------------------------
@dataclass(frozen=True)
class QxBox:
    """One banded box: its corners in 300-dpi pixels, value and label."""

    tlx: int
    tly: int
    brx: int
    bry: int
    value: str
    label: str


@dataclass(frozen=True)
class QxGroup:
    """One box group (a question or a question's item)."""

    type: int
    width: int
    varname: str
    sortorder: int
    label: str
    section: str | None
    boxes: tuple[QxBox, ...]


@dataclass(frozen=True)
class QxPage:
    """One banded page: the barcode id printed on it and its box groups in sort order."""

    id: str
    groups: tuple[QxGroup, ...]


@dataclass(frozen=True)
class QxSection:
    """One section: its id in the XML, printed title (e.g. ``A``) and label."""

    id: str
    title: str
    label: str


@dataclass(frozen=True)
class QxBanding:
    """A queXF banding XML file."""

    questionnaire_id: str
    sections: tuple[QxSection, ...]
    pages: tuple[QxPage, ...]


def _text(node: ET.Element, tag: str) -> str:
    found = node.find(tag)
    return (found.text or "").strip() if found is not None else ""


def _int(node: ET.Element, tag: str, where: str) -> int:
    raw = _text(node, tag)
    try:
        return int(float(raw))
    except ValueError as exc:
        raise TemplateError(f"{where}: <{tag}> is {raw!r}, not a number") from exc


def parse_banding(text: str | bytes, source: str = "banding XML") -> QxBanding:
    """Read queXF banding XML into a :class:`QxBanding`.

    Raises
    ------
    TemplateError
        When the XML cannot be parsed or lacks queXF's elements; the message names ``source``.
    """
    try:
        root = ET.fromstring(text)  # noqa: S314 - a local file the user gives, no network entities
    except ET.ParseError as exc:
        raise TemplateError(f"{source}: not valid XML ({exc})") from exc
    questionnaire = root.find("questionnaire") if root.tag == "queXF" else None
    if questionnaire is None:
        raise TemplateError(f"{source}: not a queXF banding file (expected <queXF><questionnaire>...)")
    sections = tuple(QxSection(s.get("id", ""), _text(s, "title"), _text(s, "label"))
                     for s in questionnaire.findall("section"))
    pages = []
    for p, page in enumerate(questionnaire.findall("page"), start=1):
        groups = []
        for g, group in enumerate(page.findall("boxgroup"), start=1):
            where = f"{source}: page {p} boxgroup {g}"
            ref = group.find("groupsection")
            boxes = tuple(
                QxBox(_int(b, "tlx", where), _int(b, "tly", where), _int(b, "brx", where), _int(b, "bry", where),
                      _text(b, "value"), _text(b, "label"))
                for b in group.findall("box"))
            for box in boxes:
                if box.brx <= box.tlx or box.bry <= box.tly:
                    raise TemplateError(f"{where} ({_text(group, 'varname')}): a box from ({box.tlx}, {box.tly}) to "
                                        f"({box.brx}, {box.bry}) px has no area; fix it in queXF's banding")
            groups.append(QxGroup(
                type=_int(group, "type", where), width=_int(group, "width", where) if group.find("width") is not None
                else len(boxes), varname=_text(group, "varname"),
                sortorder=_int(group, "sortorder", where) if group.find("sortorder") is not None else g,
                label=_text(group, "label"), section=ref.get("idref") if ref is not None else None, boxes=boxes,
            ))
        groups.sort(key=lambda grp: grp.sortorder)
        pages.append(QxPage(_text(page, "id"), tuple(groups)))
    if not pages:
        raise TemplateError(f"{source}: no <page> in the banding; band the form in queXF and export it again")
    return QxBanding(_text(questionnaire, "id"), sections, tuple(pages))


# -- building the template ----------------------------------------------------------------------
def _mm(px: float) -> float:
    return round(px * 25.4 / BANDING_DPI, _DECIMALS)


def _rect(box: QxBox) -> tuple[float, float, float, float]:
    x, y = _mm(box.tlx), _mm(box.tly)
    return (x, y, round(_mm(box.brx) - x, _DECIMALS), round(_mm(box.bry) - y, _DECIMALS))


def _outline(boxes: Sequence[QxBox]) -> tuple[float, float, float, float]:
    return _rect(QxBox(min(b.tlx for b in boxes), min(b.tly for b in boxes), max(b.brx for b in boxes),
                       max(b.bry for b in boxes), "", ""))


def _label(text: str, fallback: str) -> Label:
    text = " ".join(text.split()).rstrip(" :") or fallback
    return Label(vi=text, en=text)


def _split(label: str) -> tuple[str, str]:
    """``"How much do you trust... : State Government"`` → question and item (queXML's matrix labels)."""
    question, sep, item = label.partition(" : ")
    return (question.strip(), item.strip()) if sep else (label.strip(), "")


def _options(group: QxGroup) -> tuple[list[Option], list[str]]:
    values = unique_values([b.value for b in group.boxes])
    options = [Option(value=v, label=_label(b.label, b.value or v)) for v, b in zip(values, group.boxes, strict=True)]
    return options, values


@dataclass(frozen=True)
class _Built:
    fields: list[AnyField]
    boxes: list[PlacedBox]
    skipped: list[str]


def _grid_runs(groups: Sequence[QxGroup]) -> list[list[QxGroup]]:
    """Consecutive single-choice groups with the same options, section and question text: one run each."""
    runs: list[list[QxGroup]] = []
    for g in groups:
        prev = runs[-1][-1] if runs else None
        same = (prev is not None and g.type == SINGLE and prev.type == SINGLE and g.section == prev.section
                and [(b.value, b.label) for b in g.boxes] == [(b.value, b.label) for b in prev.boxes]
                and _split(g.label)[1] != "" and _split(g.label)[0] == _split(prev.label)[0])
        if same:
            runs[-1].append(g)
        else:
            runs.append([g])
    return runs


def _common_prefix(names: Sequence[str]) -> str:
    first, last = min(names), max(names)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n].rstrip("_")


def _build_page(page: QxPage, book: CodeBook, sections: dict[str, str], page_no: int) -> _Built:
    fields: list[AnyField] = []
    boxes: list[PlacedBox] = []
    skipped: list[str] = []
    for run in _grid_runs(page.groups):
        first = run[0]
        where = f"page {page_no} {first.varname or first.sortorder}"
        section = sections.get(first.section or "")
        if not first.boxes:
            skipped.append(f"{where}: a box group without boxes")
            continue
        if len(run) > 1 and 2 <= len(first.boxes) <= 9:
            question = _split(first.label)[0]
            code = book.reserve(_common_prefix([g.varname for g in run]) or f"G{first.sortorder}")
            rows, scale_values = [], unique_values([b.value for b in first.boxes])
            for g in run:
                row = book.code(g.varname, "Q")
                rows.append(GridRow(code=row, label=_label(_split(g.label)[1], g.varname)))
                boxes += [PlacedBox(field=row, value=v, rect=_rect(b))
                          for v, b in zip(scale_values, g.boxes, strict=True)]
            scale = [Option(value=v, label=_label(b.label, v)) for v, b in zip(scale_values, first.boxes, strict=True)]
            fields.append(GridField(kind="grid", code=code, label=_label(question, code), section=section,
                                    scale=scale, rows=rows))
            continue
        for g in run:
            where = f"page {page_no} {g.varname or g.sortorder}"
            field, placed, why = _field(g, book, section)
            if field is None:
                skipped.append(f"{where} ({_TYPE_NAMES.get(g.type, f'type {g.type}')}): {why}")
                continue
            fields.append(field)
            boxes += placed
    return _Built(fields, boxes, skipped)


def _field(group: QxGroup, book: CodeBook, section: str | None) -> tuple[AnyField | None, list[PlacedBox], str]:
    """One box group as a field and its boxes, or None and why it is left out."""
    if group.type == BARCODE:
        return None, [], "a barcode, not an answer (the page's barcode identifies it)"
    if group.type in (SINGLE, MULTIPLE) and len(group.boxes) < 2:
        return None, [], "one box only; a choice field needs two (add it by hand if it matters)"
    code = book.code(group.varname or f"Q{group.sortorder}", "Q")
    label = _label(group.label, code)
    if group.type in (SINGLE, MULTIPLE):
        options, values = _options(group)
        placed = [PlacedBox(field=code, value=v, rect=_rect(b)) for v, b in zip(values, group.boxes, strict=True)]
        if group.type == SINGLE:
            return SingleField(kind="single", code=code, label=label, section=section, options=options), placed, ""
        return MultiField(kind="multi", code=code, label=label, section=section, options=options), placed, ""
    if group.type == NUMBER:
        cells = sorted(group.boxes, key=lambda b: (b.tly // 20, b.tlx))
        if len(cells) > 20:
            return None, [], f"{len(cells)} digit cells; a digits field holds at most 20"
        placed = [PlacedBox(field=code, value=str(i), rect=_rect(b)) for i, b in enumerate(cells, start=1)]
        return DigitsField(kind="digits", code=code, label=label, section=section, length=len(cells)), placed, ""
    if group.type in (TEXT, LONGTEXT):
        rect = _outline(group.boxes)
        lines = max(1, min(20, round(rect[3] / _LINE_MM)))
        note = None
        if group.type == TEXT:
            note = (f"queXF letter comb of {len(group.boxes)} cells of {_rect(group.boxes[0])[2]:g} mm, read as one "
                    "writing area")
        field = TextField(kind="text", code=code, label=label, section=section, lines=lines, note=note)
        return field, [PlacedBox(field=code, value="", rect=rect)], ""
    return None, [], "an unknown box group type"


def _page_size(sizes_mm: Sequence[tuple[float, float]]) -> str | PageSize:
    width, height = max(s[0] for s in sizes_mm), max(s[1] for s in sizes_mm)
    for name, (w, h) in PAGE_SIZES.items():
        if abs(w - width) <= _SIZE_TOLERANCE_MM and abs(h - height) <= _SIZE_TOLERANCE_MM:
            return name
    return PageSize(width=round(width, 2), height=round(height, 2))


@dataclass(frozen=True)
class QuexfImport:
    """An imported queXF form and what was left out."""

    template: Template
    header: str
    skipped: tuple[str, ...]


def build_template(
    banding: QxBanding, name: str, title: str, page_sizes_mm: Sequence[tuple[float, float]], *,
    source: str, blanks: Sequence[str | None] | None = None,
) -> QuexfImport:
    """The fixed-layout :class:`Template` of a queXF banding.

    Parameters
    ----------
    banding
        The parsed banding XML.
    name, title
        The template's name and title.
    page_sizes_mm
        Width and height of each page of the original PDF, in mm (one per banded page).
    source
        Where it came from (``layout.source``).
    blanks
        The blank page images (relative to the YAML), one per page; with them alignment tries
        ``features`` (matching the blank) before ``page`` (the paper's edges).
    """
    if len(page_sizes_mm) < len(banding.pages):
        raise TemplateError(f"{source}: the banding has {len(banding.pages)} pages but the PDF only "
                            f"{len(page_sizes_mm)}; give the PDF the banding was made from")
    book = CodeBook()
    sections: dict[str, str] = {}
    section_labels: dict[str, Label] = {}
    for s in banding.sections:
        code = book.reserve(clean_code(s.title or f"S{s.id}", "S"))
        sections[s.id] = code
        section_labels[code] = _label(s.label, code)
    pages, placed, skipped = [], [], []
    pictures = list(blanks) if blanks is not None else [None] * len(banding.pages)
    for n, page in enumerate(banding.pages, start=1):
        built = _build_page(page, book, sections, n)
        skipped += built.skipped
        if not built.fields:
            raise TemplateError(f"{source}: page {n} ({page.id}) has no answer boxes; band it in queXF, or remove "
                                "the page from the banding")
        pages.append(Page(fields=built.fields))
        placed.append(PlacedPage(boxes=built.boxes, blank=pictures[n - 1],
                                 barcode=f"^{re.escape(page.id)}$" if page.id else None))
    used = {f.section for p in pages for f in p.fields if f.section}
    align: list[str] = ["features", "page"] if all(pictures) else ["page"]
    layout = FixedLayout.model_validate({
        "page_size": _page_size(page_sizes_mm[: len(banding.pages)]), "align": align, "pages": placed,
        "source": source,
    })
    template = Template(
        name=name, version="1", title=_label(title, name), marking=MarkingRule(mode="check"),
        sections={k: v for k, v in section_labels.items() if k in used}, pages=pages, layout=layout,
        note=f"imported from queXF banding (questionnaire id {banding.questionnaire_id or '?'})",
    )
    header = _header(source, banding, align, skipped)
    return QuexfImport(template, header, tuple(skipped))


def _header(source: str, banding: QxBanding, align: Sequence[str], skipped: Sequence[str]) -> str:
    lines = [
        f"Imported from {source} by `sipas template import quexf`.",
        f"Positions: queXF's 300-dpi banding pixels x 25.4 / 300 = mm from the page's top-left corner "
        f"({len(banding.pages)} pages, each identified by its Interleaved 2 of 5 barcode: 'barcode').",
        f"Alignment: {', '.join(align)}. The corner L-marks queXF prints differ per corner, so they are not "
        "stated as 'marks'.",
        "Letter combs (queXF text boxes) are read as one writing area each: the schema has no letter comb yet.",
    ]
    lines += [f"Not imported: {s}." for s in skipped]
    lines.append("To check and edit: the title, Vietnamese labels (both languages hold queXF's text), grids "
                 "(consecutive 'question : item' groups), and the write-in fields of 'other' options.")
    return "\n".join(lines)


# -- files ----------------------------------------------------------------------------------------
def render_blanks(pdf: Path, pages: int, out_dir: Path, stem: str, dpi: int = BLANK_DPI) -> list[Path]:
    """The first ``pages`` pages of ``pdf`` as gray PNGs ``<stem>-p<N>.png`` in ``out_dir`` (pdftoppm)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pdftoppm = which_or_raise("pdftoppm", "poppler-utils")
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(1, pages + 1):
            target = out_dir / f"{stem}-p{n}.png"
            done = subprocess.run(
                [str(pdftoppm), "-r", str(dpi), "-gray", "-png", "-f", str(n), "-l", str(n), "-singlefile",
                 str(pdf), str(Path(tmp) / "page")], capture_output=True, timeout=300, check=False)
            made = Path(tmp) / "page.png"
            if done.returncode != 0 or not made.is_file():
                why = done.stderr.decode(errors="replace").strip()
                raise InputFileError(f"{pdf}: page {n} cannot be drawn ({why}); check the PDF opens")
            made.replace(target)
            written.append(target)
    return written


def import_quexf(
    banding_xml: Path, pdf: Path, out: Path, *, name: str | None = None, title: str | None = None,
) -> QuexfImport:
    """Import ``banding_xml`` with its original ``pdf``; write ``out`` and the blank pages next to it.

    Raises
    ------
    InputFileError
        When a file cannot be read or the PDF cannot be drawn.
    TemplateError
        When the XML is not a queXF banding or does not fit the PDF.
    BadArgumentsError
        When ``name`` is not a valid template name.
    """
    try:
        text = banding_xml.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{banding_xml}: cannot read the banding XML ({exc.strerror})") from exc
    banding = parse_banding(text, str(banding_xml))
    infos = pdf_page_infos(pdf)
    if isinstance(infos, str):
        raise InputFileError(f"{pdf}: {infos}")
    sizes = [(i.width_pt * MM_PER_PT, i.height_pt * MM_PER_PT) for i in infos]
    name = checked_name(name or clean_name(banding_xml.stem))
    pictures = render_blanks(pdf, min(len(banding.pages), len(infos)), out.parent, out.stem)
    result = build_template(banding, name, title or f"queXF form {banding_xml.stem}", sizes,
                            source=f"queXF banding {banding_xml.name} + {pdf.name}", blanks=[p.name for p in pictures])
    write_template(result.template, result.header, out)
    return result
