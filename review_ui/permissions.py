"""Who may do what: one list of actions and the roles that hold them."""

from __future__ import annotations

from typing import Literal

from omr.errors import PermissionDeniedError
from review_ui.users import Role, UserInfo

Action = Literal["review", "view-pages", "view-progress", "fieldwork"]

ACTIONS: dict[Action, tuple[Role, ...]] = {
    "review": ("admin", "reviewer"),
    "view-pages": ("admin", "reviewer", "operator"),
    "view-progress": ("admin", "reviewer", "operator", "analyst"),
    "fieldwork": ("fieldwork",),  # respondent identities: lists, rejects, draw report (review_ui/fieldwork.py)
}
"""``review``: work the queue, bulk grids and edit answers; ``view-pages``: page and form views and
their images; ``view-progress``: the progress page."""


def allowed(user: UserInfo, action: Action) -> bool:
    return user.role in ACTIONS[action]


def require(user: UserInfo, action: Action) -> None:
    """Raise :class:`PermissionDeniedError` unless ``user`` may do ``action``."""
    if not allowed(user, action):
        roles = " or ".join(ACTIONS[action])
        raise PermissionDeniedError(f"{user.name} ({user.role}) may not {action}; ask an admin for the {roles} role")
