"""How indicators are aggregated: :class:`IndexOptions` (every choice is a CLI option of ``sipas score``).

Defaults follow the working specification of the research notes (sipas.md §3.2–§3.3); the official
formula (QĐ 1001/QĐ-BNV annex) was not available, so every choice can be changed:

``element="mean"``
    Element index = mean of its item indices (§3.2 item 2). ``pooled`` = satisfied answers over
    valid answers across the element's items; both agree when no answer is missing.
``aspect="items"``
    Aspect index = mean of its item indices (§3.2 item 3). ``elements`` = mean of element indices.
``overall="items"``
    Overall index = mean of all item indices, i.e. 23/39 × policy + 16/39 × service ("item
    weighting"). It is the only rule that reproduces the published 2024 figures (83.84, 84.09 →
    83.94, §3.3); ``aspects`` (mean of the two aspects, 83.965) and ``elements`` do not.
``national="provinces"``
    National value = unweighted mean of the provincial values. MoHA calls the national figure
    "giá trị trung bình cả nước" (the average over the country), provinces have near-equal
    samples and no design weights were found (§3.2 items 8–9). ``pooled`` = all respondents at once.
``blanks="exclude"``, ``multiple="exclude"``
    A blank answer or an unresolved double mark (``*``) leaves the item's denominator (§3.2 item
    10); ``not-satisfied`` counts it as a valid answer that is not satisfied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MIN_FORMS = 30
"""Default threshold: units with fewer forms are shown with a warning (``--min-forms``)."""
REPLICATES = 1000
"""Default bootstrap replicates of the 95 % intervals (``--replicates``)."""
SEED = 20250701
"""Seed of the bootstrap: the same data give the same intervals."""

ElementRule = Literal["mean", "pooled"]
AspectRule = Literal["items", "elements"]
OverallRule = Literal["items", "elements", "aspects"]
NationalRule = Literal["provinces", "pooled"]
MissingRule = Literal["exclude", "not-satisfied"]

DEFAULT_LEVELS = ("province", "district", "commune")
NATIONAL = "national"
OVERALL = "OVERALL"
"""Indicator code of the overall index in results."""


@dataclass(frozen=True)
class IndexOptions:
    """Aggregation rules; see the module docstring for what each default means and why."""

    element: ElementRule = "mean"
    aspect: AspectRule = "items"
    overall: OverallRule = "items"
    national: NationalRule = "provinces"
    blanks: MissingRule = "exclude"
    multiple: MissingRule = "exclude"
    levels: tuple[str, ...] = DEFAULT_LEVELS
    """Sample-unit levels to report (those the template does not have are skipped)."""
    by_fields: tuple[str, ...] | None = None
    """Single-choice fields to break results down by (e.g. the service field of the 2019 form);
    None = the service-field question of a service-user template, if it has one."""

    def describe(self) -> dict[str, str]:
        """The rules as plain strings (written into results.json and the report)."""
        return {
            "element": self.element,
            "aspect": self.aspect,
            "overall": self.overall,
            "national": self.national,
            "blanks": self.blanks,
            "multiple": self.multiple,
        }
