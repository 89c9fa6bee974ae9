"""The counts behind ``sipas eval``: one :class:`Tally` per slice of the fields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tally:
    """Counts for one slice of the fields (a kind, a scan quality, a mark kind, or everything).

    ``auto`` fields were accepted without review, ``wrong`` of them differ from the truth; ``review``
    fields were flagged (or reviewed); ``missing`` fields are in the truth but not in the answers.
    """

    fields: int = 0
    auto: int = 0
    wrong: int = 0
    review: int = 0
    missing: int = 0

    @property
    def answered(self) -> int:
        """Fields the reader gave an answer for (auto or review)."""
        return self.fields - self.missing

    @property
    def auto_right(self) -> int:
        return self.auto - self.wrong

    @property
    def error_rate(self) -> float | None:
        """Wrong values among auto-accepted fields (None when nothing was auto-accepted)."""
        return self.wrong / self.auto if self.auto else None

    @property
    def error_upper95(self) -> float | None:
        """With no error among ``auto`` fields, the 95 % upper bound of the error rate (rule of three)."""
        return 3.0 / self.auto if self.auto and not self.wrong else None

    @property
    def review_share(self) -> float | None:
        """Fields sent to review (flagged or reviewed) among the fields answered."""
        return self.review / self.answered if self.answered else None

    @property
    def right_or_review_share(self) -> float | None:
        """Fields read right or sent to review among the fields answered (never silently misread)."""
        return (self.auto_right + self.review) / self.answered if self.answered else None

    @property
    def auto_wrong_share(self) -> float | None:
        """Fields auto-accepted with a wrong value among the fields answered."""
        return self.wrong / self.answered if self.answered else None

    def add(self, *, auto: bool = False, wrong: bool = False, review: bool = False, missing: bool = False) -> Tally:
        """This tally with one more field counted."""
        return Tally(self.fields + 1, self.auto + auto, self.wrong + wrong, self.review + review,
                     self.missing + missing)

    def as_json(self) -> dict[str, object]:
        return {"fields": self.fields, "auto": self.auto, "auto_right": self.auto_right, "wrong": self.wrong,
                "review": self.review, "missing": self.missing, "error_rate": self.error_rate,
                "error_upper95": self.error_upper95, "review_share": self.review_share,
                "right_or_review_share": self.right_or_review_share, "auto_wrong_share": self.auto_wrong_share}


@dataclass(frozen=True)
class Outcome:
    """What became of one truth field: auto-accepted (right or wrong), sent to review, or missing."""

    auto: bool = False
    wrong: bool = False
    review: bool = False
    missing: bool = False

    def count(self, tally: Tally) -> Tally:
        return tally.add(auto=self.auto, wrong=self.wrong, review=self.review, missing=self.missing)
