"""Transaction dates as units write them: spreadsheet dates, ``dd/mm/yyyy``, ``yyyy-mm-dd``, with times."""

from __future__ import annotations

import datetime as dt
import re

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(cell: object) -> dt.date | None:
    """A day, or ``None`` when the cell is empty or not a date (day first, as Vietnamese lists write).

    >>> parse_date("05/03/2020"), parse_date("2020-03-05 08:15"), parse_date(43895)
    (datetime.date(2020, 3, 5), datetime.date(2020, 3, 5), datetime.date(2020, 3, 5))
    >>> parse_date("31/02/2020") is None
    True
    """
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _EXCEL_EPOCH + dt.timedelta(days=int(cell)) if 20000 < cell < 80000 else None
    text = "" if cell is None else str(cell).strip()
    m = _DMY.match(text)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = _YMD.match(text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None
