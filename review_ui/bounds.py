"""Bounded numbers and codes from requests: nothing unbounded reaches the database or a header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2**62
"""Largest database id or revision accepted (bigger, negative or non-numeric ids in a path are a 404)."""
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in a URL path."""
DbInt = Annotated[int, Field(ge=0, le=MAX_ID)]
"""An id or revision in a JSON body."""
CODE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
"""A question code or template name as given in a query, a path or a body."""
Code = Annotated[str, Field(max_length=64, pattern=CODE_PATTERN)]
CodePath = Annotated[str, Path(max_length=64, pattern=CODE_PATTERN)]
CodeQuery = Annotated[str | None, Query(max_length=64, pattern=CODE_PATTERN)]
FormIdPath = Annotated[str, Path(max_length=16, pattern=r"^[A-Za-z0-9-]{1,16}$")]
"""A form id in a path, typed with or without the dash."""
