"""Who may do what: one list of actions and the roles that hold them."""

from __future__ import annotations

from typing import Literal

from omr.errors import PermissionDeniedError
from review_ui.roles import Role
from review_ui.users import UserInfo

Action = Literal["review", "view-pages", "view-progress", "fieldwork", "monitor"]

ACTIONS: dict[Action, tuple[Role, ...]] = {
    "review": ("admin", "reviewer"),
    "view-pages": ("admin", "reviewer", "operator"),
    "view-progress": ("admin", "reviewer", "operator", "analyst"),
    "fieldwork": ("fieldwork",),  # respondent identities: lists, rejects, draw report (review_ui/fieldwork.py)
    "monitor": ("monitor",),  # re-verification calls: names and phones of the drawn forms only (fieldwork_verify.py)
}
"""``review``: work the queue, bulk grids and edit answers; ``view-pages``: page and form views and
their images; ``view-progress``: the progress page; ``monitor``: re-verification (phúc tra) call
sheets and outcomes, held by the monitors alone: those who ran the fieldwork do not check their own
work (see docs/fieldwork-verification.md)."""


def allowed(user: UserInfo, action: Action) -> bool:
    return user.role in ACTIONS[action]


def require(user: UserInfo, action: Action) -> None:
    """Raise :class:`PermissionDeniedError` unless ``user`` may do ``action``."""
    if not allowed(user, action):
        roles = " or ".join(ACTIONS[action])
        raise PermissionDeniedError(f"{user.name} ({user.role}) may not {action}; ask an admin for the {roles} role")
