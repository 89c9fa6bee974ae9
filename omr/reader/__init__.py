"""The page reader: one page image in, one :class:`omr.types.PageReading` out (no database, no files).

Stages, one module each, called in order by :func:`omr.reader.page.read_page`:

1. :mod:`~omr.reader.blank`     blank duplex backs;
2. :mod:`~omr.reader.fiducials` finds the corner markers, :mod:`~omr.reader.align` fits the homography,
   checks its residual and warps the page to :data:`ALIGNED_DPI`
   (:mod:`~omr.reader.features` matches the rendered blank page when markers are missing);
3. :mod:`~omr.reader.identify`  QR code, else the printed id by OCR plus the page layout;
4. :mod:`~omr.reader.positions`, :mod:`~omr.reader.boxes`, :mod:`~omr.reader.marks`  box outlines,
   ink measures, box states; :mod:`~omr.reader.residue` the dots of faint marks a scan broke up;
5. :mod:`~omr.reader.fields`, :mod:`~omr.reader.digitfields`, :mod:`~omr.reader.handwriting`  the
   marking rule, comb digits (with the calendar check of dates) and text.

Every threshold lives in :class:`~omr.reader.config.ReaderConfig`.
"""

from __future__ import annotations

from omr.reader.config import ALIGNED_DPI, DEFAULT_CONFIG, ReaderConfig
from omr.reader.context import ReaderContext
from omr.reader.page import read_page

__all__ = ["ALIGNED_DPI", "DEFAULT_CONFIG", "ReaderConfig", "ReaderContext", "read_page"]
