"""Names of administrative units by code, in either scheme (from the ``vietnamadminunits`` data)."""

from __future__ import annotations

import functools

from fieldwork.survey import Scheme


@functools.cache
def commune_name(scheme: Scheme, code: str) -> str:
    """``Phường Thượng Thanh`` for (``legacy``, ``00115``); the code itself when unknown."""
    from vietnamadminunits.database import query

    table = "admin_units_legacy" if scheme == "legacy" else "admin_units"
    if not code.isalnum():
        return code
    rows = query(f"SELECT ward FROM {table} WHERE wardCode = '{code}' LIMIT 1")  # noqa: S608 - code is alphanumeric
    return str(rows[0]["ward"]) if rows else code
