"""What a batch (or the whole workspace) came to: pages by outcome, rejections by reason, forms by completeness."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omr.store.db import Store
from omr.store.schema import COUNTED, FormRow, InputFile, PageRow, ReviewItem
from omr.types import PageError

EXAMPLES = 3
_CHUNK = 500
DUPLICATE_GROUP = "duplicate of a page already scanned"
_V = TypeVar("_V", int, str)


@dataclass(frozen=True)
class ReasonGroup:
    """Rejected pages sharing one reason, with a few of them as ``file#page``."""

    reason: str
    count: int
    examples: tuple[str, ...]


@dataclass(frozen=True)
class FormGap:
    """A form of which some pages have come back, and the page numbers still missing."""

    form_id: str
    pages_expected: int
    missing: tuple[int, ...]


@dataclass(frozen=True)
class ScanSummary:
    """Every page accounted for: read, in review, rejected (why), blank; and the forms they make up."""

    files: int
    pages: int
    read: int
    review: int
    rejected: int
    blank: int
    fields_flagged: int
    """Open review items for fields on these pages."""
    pages_to_review: int
    """Open review items for unidentified or unaligned pages."""
    rejected_reasons: tuple[ReasonGroup, ...]
    forms_complete: int
    forms_incomplete: tuple[FormGap, ...]
    forms_not_returned: int | None = None
    """Forms of the manifest with no page back (workspace summaries only)."""
    unrecorded: tuple[PageError, ...] = ()
    """Inputs that could not even be recorded (unreadable or vanished files)."""
    pages_skipped: int = 0
    """Pages recorded by an earlier run and not read again."""

    @property
    def any_rejected(self) -> bool:
        return self.rejected > 0 or bool(self.unrecorded)


def reason_group(reason: str | None) -> str:
    """The reason under which a rejected page is grouped (duplicates name different originals)."""
    if not reason:
        return "no reason given"
    return DUPLICATE_GROUP if reason.startswith("duplicate of ") else reason


def _chunks(values: Sequence[_V]) -> Iterator[list[_V]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start:start + _CHUNK])


def _page_rows(s: Session, file_ids: Sequence[int] | None) -> Iterable[tuple[int, str, str | None, str | None,
                                                                             int | None, int | None, int, str]]:
    query = (select(PageRow.id, PageRow.outcome, PageRow.reason, PageRow.form_id, PageRow.page_number,
                    PageRow.duplicate_of, PageRow.page_index, InputFile.path)
             .join(InputFile, InputFile.id == PageRow.file_id).order_by(PageRow.id))
    if file_ids is None:
        yield from s.execute(query)
        return
    for chunk in _chunks(file_ids):
        yield from s.execute(query.where(PageRow.file_id.in_(chunk)))


def _form_pages(s: Session, form_ids: Sequence[str]) -> dict[str, set[int]]:
    present: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(form_ids):
        rows = s.execute(select(PageRow.form_id, PageRow.page_number).where(
            PageRow.form_id.in_(chunk), PageRow.outcome.in_(COUNTED), PageRow.duplicate_of.is_(None)))
        for fid, number in rows:
            if fid is not None and number is not None:
                present[fid].add(number)
    return present


def _open_items(s: Session, page_ids: Sequence[int] | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    query = select(ReviewItem.kind, func.count()).where(ReviewItem.status == "open").group_by(ReviewItem.kind)
    if page_ids is None:
        counts.update(dict(s.execute(query).all()))
        return counts
    for chunk in _chunks(page_ids):
        counts.update(dict(s.execute(query.where(ReviewItem.page_id.in_(chunk))).all()))
    return counts


def summary(store: Store, file_ids: Sequence[int] | None = None) -> ScanSummary:
    """Summarise the pages of some input files (a batch), or of the whole workspace when None."""
    with store.session() as s:
        outcomes: Counter[str] = Counter()
        groups: dict[str, list[str]] = defaultdict(list)
        touched: set[str] = set()
        page_ids: list[int] = []
        for pid, outcome, reason, form_id, _number, dup, index, path in _page_rows(s, file_ids):
            page_ids.append(pid)
            outcomes[outcome] += 1
            if outcome == "rejected":
                groups[reason_group(reason)].append(f"{path}#{index + 1}")
            elif outcome in COUNTED and form_id is not None and dup is None:
                touched.add(form_id)
        n_files = (len(set(file_ids)) if file_ids is not None
                   else int(s.scalar(select(func.count()).select_from(InputFile)) or 0))
        not_returned: int | None = None
        if file_ids is None:
            forms = {f.form_id: f.pages_expected for f in s.scalars(select(FormRow))}
            not_returned = sum(1 for fid in forms if fid not in touched)
        else:
            forms = {}
            for chunk in _chunks(sorted(touched)):
                forms.update(s.execute(select(FormRow.form_id, FormRow.pages_expected)
                                       .where(FormRow.form_id.in_(chunk))).all())
        present = _form_pages(s, sorted(touched))
        complete, gaps = 0, []
        for fid in sorted(touched):
            expected = forms.get(fid, 0)
            missing = tuple(n for n in range(1, expected + 1) if n not in present.get(fid, set()))
            if missing:
                gaps.append(FormGap(fid, expected, missing))
            else:
                complete += 1
        items = _open_items(s, None if file_ids is None else page_ids)
    reasons = tuple(sorted((ReasonGroup(r, len(keys), tuple(keys[:EXAMPLES])) for r, keys in groups.items()),
                           key=lambda g: (-g.count, g.reason)))
    return ScanSummary(
        files=n_files, pages=sum(outcomes.values()), read=outcomes["read"], review=outcomes["review"],
        rejected=outcomes["rejected"], blank=outcomes["blank"], fields_flagged=items["field"],
        pages_to_review=items["unidentified_page"] + items["unaligned_page"], rejected_reasons=reasons,
        forms_complete=complete, forms_incomplete=tuple(gaps), forms_not_returned=not_returned,
    )
