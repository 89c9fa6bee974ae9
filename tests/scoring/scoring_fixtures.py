"""Hand-coded forms of the scoring tests; every expected value in the tests is computed from this table."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
SCORE_MINI = HERE / "score_mini.yaml"

# Four forms; every expected value in the tests is computed by hand from this table.
FORMS: dict[str, dict[str, str]] = {
    "F1": {"Q9_1": "5", "Q9_2": "4", "Q9_5": "5", "Q9_3": "3", "Q9_4": "4", "Q2": "1;2", "Q5": "1", "Q10_1": "4"},
    "F2": {"Q9_1": "2", "Q9_2": "", "Q9_5": "5", "Q9_3": "4", "Q9_4": "5", "Q2": "2", "Q5": "2", "Q10_1": "2"},
    "F3": {"Q9_1": "4", "Q9_2": "1", "Q9_5": "5", "Q9_3": "*", "Q9_4": "1", "Q2": "", "Q5": "1", "Q10_1": "3"},
    "F4": {"Q9_1": "4", "Q9_2": "5", "Q9_5": "1", "Q9_3": "5", "Q9_4": "2", "Q2": "3", "Q5": "3", "Q10_1": ""},
}
UNITS = {
    "F1": {"province": "01", "district": "011"},
    "F2": {"province": "01", "district": "012"},
    "F3": {"province": "02", "district": "021"},
    "F4": {"province": "02", "district": "021"},
}
