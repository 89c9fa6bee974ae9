"""The respondent profile: who answered (sex, age band, ethnicity, education, occupation…).

Rule: the profile questions are the single-choice questions of the template's section whose
English title contains "respondent" (both SIPAS templates: section A, "About the respondent").
Each is reported nationally as counts and shares of the forms that answered it (a blank or a
double mark counts as not answered). Write-ins ("other, please specify") are never shown: they are
free text that could identify a person.
"""

from __future__ import annotations

import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the venv

from omr.template.model import SingleField, Template
from scoring.results import ProfileAnswer, ProfileQuestion

SECTION_WORD = "respondent"


def profile_questions(template: Template) -> list[SingleField]:
    """Single-choice questions of the respondent section, in print order."""
    sections = {code for code, label in template.sections.items() if SECTION_WORD in label.en.casefold()}
    return [q for q in template.fields() if isinstance(q, SingleField) and q.section in sections]


def respondent_profile(frame: pd.DataFrame, template: Template) -> tuple[ProfileQuestion, ...]:
    """Counts and shares (percent of those who answered) of every profile question."""
    out: list[ProfileQuestion] = []
    for q in profile_questions(template):
        answers = frame[q.code].fillna("").astype(str) if q.code in frame.columns else pd.Series([], dtype=str)
        values = [o.value for o in q.options]
        counted = answers[answers.isin(values)].value_counts()
        answered = int(counted.sum())
        rows = tuple(ProfileAnswer(value=o.value, vi=o.label.vi, en=o.label.en, count=int(counted.get(o.value, 0)),
                                   share=100.0 * int(counted.get(o.value, 0)) / answered if answered else None)
                     for o in q.options)
        out.append(ProfileQuestion(code=q.code, vi=q.label.vi, en=q.label.en, answered=answered,
                                   blank=len(answers) - answered, answers=rows))
    return tuple(out)
