"""Settings of the review app (built once by ``sipas review`` or by tests)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from omr.store.db import Store
from review_ui.doubles import DoubleEntry
from review_ui.leases import LEASE_SECONDS
from review_ui.sessions import Limits
from review_ui.templates_index import TemplateIndex
from review_ui.throttle import Throttle


@dataclass(frozen=True)
class Settings:
    """What the app needs: the store, where templates are, the cookie secret, lease length."""

    store: Store
    secret: str
    templates: TemplateIndex = field(default_factory=TemplateIndex)
    lease_seconds: int = LEASE_SECONDS
    https_only: bool = False
    session_max_age: int = 12 * 3600
    idle_seconds: int = 3600
    throttle: Throttle = field(default_factory=Throttle)
    doubles: DoubleEntry = field(default_factory=DoubleEntry)

    @property
    def limits(self) -> Limits:
        return Limits(idle=self.idle_seconds, max_age=self.session_max_age)

    @property
    def workspace(self) -> Path:
        return self.store.workspace
