"""Read a page again as soon as a reviewer has fixed it (typed its form id, clicked its corners).

The reader is loaded once per app process, on the first fix. If reading fails (a missing program,
an unreadable kept image), the page keeps its ``needs re-reading`` mark and the next ``sipas scan``
reads it; the reviewer's fix is never lost.
"""

from __future__ import annotations

import functools
import logging

from omr.errors import SipasError
from omr.reader import ReaderContext
from omr.reread import Reread, reread_pages
from omr.store.db import Store
from omr.template.model import Template
from review_ui.templates_index import TemplateIndex

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _context(extra: tuple[str, ...]) -> ReaderContext:
    from omr.batch import TemplateIndex as ScanTemplates  # built-ins plus extra files, deduplicated

    return ReaderContext.load(ScanTemplates(extra).sources)


def reread_now(store: Store, index: TemplateIndex, page_id: int) -> Reread | None:
    """Read page ``page_id`` again with the reviewer's fix; None when that has to wait for a scan."""

    def lookup(name: str) -> Template | None:
        try:
            return index.get(name).template
        except SipasError:
            return None

    try:
        done = reread_pages(store, _context(index.extra_sources()), lookup, [page_id])
    except (SipasError, OSError) as exc:
        log.warning("page %s: re-reading after the fix failed (%s); `sipas scan` will read it again", page_id, exc)
        return None
    return done[0] if done else None
