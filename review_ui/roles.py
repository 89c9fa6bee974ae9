"""The roles of the review app (a light module: ``sipas user --help`` lists them without the web app)."""

from __future__ import annotations

from typing import Literal

Role = Literal["admin", "operator", "reviewer", "analyst", "fieldwork", "monitor"]
ROLES: tuple[Role, ...] = ("admin", "operator", "reviewer", "analyst", "fieldwork", "monitor")
