"""Place unidentified pages by their position in their file, after the batch has read everything.

A page whose QR and printed id are both unreadable, but which was aligned, often lies in its file
between pages of one form: pages 1 and 3 of form F around it, or page 2 of F before it and the file
(or another form) after it while F lacks exactly the page that would follow. Such a page is read
again as that form page (:func:`omr.reader.read_page` with ``placed``), which checks that the page's
box pattern agrees with that template page; when it does, the page is recorded as that form page.

Rules (conservative: a placement needs the order *and* the form's gap to agree):

* the file must keep its forms in order: the identified pages, in file order, show each form as
  one block with its page numbers rising. A file whose pages were shuffled (forms interleaved,
  pages out of order) says nothing about its unidentified pages, and nothing is placed in it;
* blank backs are skipped when looking at the order (duplex scans);
* a run of ``n`` consecutive non-blank pages without identity is placed only if every one of them
  was aligned and is waiting as an unidentified page;
* between pages ``a`` and ``b`` of the same form, the run must fill exactly pages ``a+1 .. b-1``;
  after page ``a`` of F only (the file ends, or another form or an unidentified page follows), it
  must fill ``a+1 .. a+n`` and those must be exactly the pages F still lacks; before page ``b``
  likewise with ``b-n .. b-1``; when a run could be the end of one form and the start of another,
  it is not placed;
* the form pages must not be counted yet, and no two pages may claim the same form page.

What a reviewer gets: the placed page is read and recorded like any page (its fields accepted or
flagged as the reading says), its open "unidentified page" item is closed, and the page's reason
and audit trail say it was placed by its position ("placed by its position in file X between pages
1 and 3 of F"); a reviewer who disagrees changes it in the page view. A placement the layout
contradicts leaves the page as it was, waiting for a reviewer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from sqlalchemy import select

from omr.formid import PageIdentity, display_form_id
from omr.ingest import ScanFile, page_refs
from omr.reread import record_reading
from omr.store.db import Store
from omr.store.records import TemplateLookup
from omr.store.schema import COUNTED, FormRow, PageRow, ReviewItem, counted_form_page
from omr.workers import PageTask, TaskOutcome, page_log

Submit = Callable[[PageTask], Future[TaskOutcome]]
"""A pool's ``submit``: the placed pages are read again by the batch's workers."""


@dataclass(frozen=True)
class FilePage:
    """One recorded page of a file, as the placement sees it."""

    page_id: int
    index: int
    outcome: str
    form_id: str | None
    page_number: int | None
    placeable: bool
    """Aligned, unidentified and waiting for a reviewer to identify it."""


@dataclass(frozen=True)
class FormGap:
    """A form's template and which of its pages are counted."""

    template: str
    version: str
    pages: int
    counted: frozenset[int]

    @property
    def missing(self) -> frozenset[int]:
        return frozenset(range(1, self.pages + 1)) - self.counted


@dataclass(frozen=True)
class Placement:
    """An unidentified page, the form page its position says it is, and how that was found."""

    page_id: int
    index: int
    identity: PageIdentity
    note: str


def _identified(p: FilePage | None) -> bool:
    return p is not None and p.form_id is not None and p.page_number is not None and p.outcome in COUNTED


def _run_end(seq: Sequence[FilePage], i: int) -> int:
    j = i
    while j < len(seq) and not _identified(seq[j]):
        j += 1
    return j


def _fit(run_len: int, prev: FilePage | None, nxt: FilePage | None,
         forms: Mapping[str, FormGap]) -> list[tuple[str, list[int], str]]:
    """Every (form, page numbers, how) the run can be, by what lies before and after it."""
    out: list[tuple[str, list[int], str]] = []
    if prev is not None and nxt is not None and prev.form_id == nxt.form_id:
        a, b = prev.page_number or 0, nxt.page_number or 0
        gap = forms.get(prev.form_id or "")
        numbers = list(range(a + 1, b))
        if gap is not None and len(numbers) == run_len and set(numbers) <= gap.missing:
            out.append((prev.form_id or "", numbers, f"between pages {a} and {b}"))
        return out
    if prev is not None and (gap := forms.get(prev.form_id or "")) is not None:
        a = prev.page_number or 0
        numbers = list(range(a + 1, a + run_len + 1))
        if set(numbers) == gap.missing:
            out.append((prev.form_id or "", numbers, f"after page {a}"))
    if nxt is not None and (gap := forms.get(nxt.form_id or "")) is not None:
        b = nxt.page_number or 0
        numbers = list(range(b - run_len, b))
        if numbers and numbers[0] >= 1 and set(numbers) == gap.missing:
            out.append((nxt.form_id or "", numbers, f"before page {b}"))
    return out


def in_order(seq: Sequence[FilePage]) -> bool:
    """Whether the identified pages of ``seq`` keep each form in one block, its page numbers rising."""
    done: set[str] = set()
    current, last = None, 0
    for p in seq:
        if not _identified(p) or p.form_id is None or p.page_number is None:
            continue
        if p.form_id != current:
            if p.form_id in done:
                return False
            if current is not None:
                done.add(current)
            current, last = p.form_id, 0
        if p.page_number <= last:
            return False
        last = p.page_number
    return True


def plan_file(path: str, pages: Sequence[FilePage], forms: Mapping[str, FormGap]) -> list[Placement]:
    """The placements the page order of one file supports (pure: see the module docstring)."""
    seq = [p for p in sorted(pages, key=lambda p: p.index) if p.outcome != "blank"]
    out: list[Placement] = []
    if not in_order(seq):
        return out
    i = 0
    while i < len(seq):
        if _identified(seq[i]):
            i += 1
            continue
        j = _run_end(seq, i)
        run = seq[i:j]
        prev = seq[i - 1] if i > 0 else None
        nxt = seq[j] if j < len(seq) else None
        fits = _fit(len(run), prev, nxt, forms) if all(p.placeable for p in run) else []
        if len(fits) == 1:
            form_id, numbers, how = fits[0]
            gap = forms[form_id]
            for page, number in zip(run, numbers, strict=True):
                note = (f"placed by its position in {path} {how} of {display_form_id(form_id)} "
                        f"(QR and printed id unreadable)")
                out.append(Placement(page.page_id, page.index,
                                     PageIdentity(gap.template, gap.version, form_id, number, gap.pages), note))
        i = j
    return out


def unclaimed(placements: Sequence[Placement]) -> list[Placement]:
    """Drop placements that claim a form page another placement claims too."""
    claims = Counter((p.identity.form_id, p.identity.page) for p in placements)
    return [p for p in placements if claims[(p.identity.form_id, p.identity.page)] == 1]


def file_pages(store: Store, file_id: int) -> list[FilePage]:
    """The recorded pages of one input file, in order."""
    with store.session() as s:
        waiting = set(s.scalars(select(ReviewItem.page_id).join(PageRow, PageRow.id == ReviewItem.page_id).where(
            PageRow.file_id == file_id, ReviewItem.kind == "unidentified_page", ReviewItem.status == "open")))
        rows = s.execute(select(PageRow.id, PageRow.page_index, PageRow.outcome, PageRow.form_id,
                                PageRow.page_number, PageRow.homography)
                         .where(PageRow.file_id == file_id).order_by(PageRow.page_index)).all()
    return [FilePage(pid, index, outcome, form_id, number,
                     outcome == "review" and form_id is None and homography is not None and pid in waiting)
            for pid, index, outcome, form_id, number, homography in rows]


def form_gaps(store: Store, form_ids: set[str]) -> dict[str, FormGap]:
    """Template and counted pages of the given forms."""
    out: dict[str, FormGap] = {}
    ids = sorted(form_ids)
    with store.session() as s:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            counted: dict[str, set[int]] = {}
            for fid, number in s.execute(select(PageRow.form_id, PageRow.page_number).where(
                    PageRow.form_id.in_(chunk), counted_form_page())):
                if fid is not None and number is not None:
                    counted.setdefault(fid, set()).add(number)
            for form in s.scalars(select(FormRow).where(FormRow.form_id.in_(chunk))):
                out[form.form_id] = FormGap(form.template, form.version, form.pages_expected,
                                            frozenset(counted.get(form.form_id, set())))
    return out


def plan_placements(store: Store, files: Mapping[int, str]) -> list[Placement]:
    """Placements for the unidentified pages of the given input files (file id → path)."""
    by_file = {fid: file_pages(store, fid) for fid in files}
    wanted = {p.form_id for pages in by_file.values() for p in pages if p.form_id is not None}
    if not any(p.placeable for pages in by_file.values() for p in pages):
        return []
    forms = form_gaps(store, wanted)
    found = [pl for fid, pages in by_file.items() for pl in plan_file(files[fid], pages, forms)]
    return unclaimed(found)



PLACE_ACTOR = "sipas scan: placed by position"


def place_pages(store: Store, files: Mapping[int, ScanFile], submit: Submit, templates: TemplateLookup) -> int:
    """Place what the page order of ``files`` supports: read each page again as that form page (in the
    worker pool, through ``submit``) and record it when its layout agrees. Returns how many were placed.
    """
    plans = plan_placements(store, {fid: str(f.path) for fid, f in files.items()})
    if not plans:
        return 0
    file_of = {p.page_id: fid for fid, f in files.items() for p in file_pages(store, fid)}
    jobs = []
    for plan in plans:
        scan_file = files[file_of[plan.page_id]]
        ref = next(r for r in page_refs(scan_file) if r.index == plan.index)
        jobs.append((plan, ref, submit(PageTask(ref, identity=plan.identity, placed=plan.note))))
    placed = 0
    for plan, ref, future in jobs:
        try:
            result = future.result().result
        except BrokenProcessPool:
            result = None
        reading = result.reading if result is not None else None
        if result is None or reading is None or reading.identity is None:
            why = reading.reason if reading is not None else "the page could not be read again"
            page_log(ref.key).info("not placed: %s", why)
            continue
        done = record_reading(store, plan.page_id, reading, result.aligned_jpeg, templates, actor=PLACE_ACTOR)
        placed += done.outcome in COUNTED
        page_log(ref.key, reading.identity.form_id).info("%s (%s)", done.outcome, done.reason)
    return placed
