"""The codebook of the analyst dataset: variables, question text, value labels, provisional flags."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from omr.template.model import DigitsField, GridField, MultiField, SingleField, Template, TextField
from omr.types import MULTIPLE

MULTIPLE_LABEL = {"vi": "Đánh dấu nhiều ô (chưa xử lý)", "en": "Several boxes marked (unresolved)"}


@dataclass(frozen=True)
class Variable:
    """One column of the analyst dataset."""

    name: str
    kind: str
    """``id``, ``unit``, ``single``, ``grid``, ``multi``, ``digits``, ``text``, ``status``."""
    question: str | None
    label_vi: str
    label_en: str
    values: tuple[tuple[str, str, str], ...] = ()
    """(value code, Vietnamese label, English label)."""
    provisional: bool = False
    note: str | None = None

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi

    def value_labels(self, lang: str) -> dict[str, str]:
        return {v: (en if lang == "en" else vi) for v, vi, en in self.values}

    @property
    def numeric_codes(self) -> bool:
        """Single-choice values that are all whole numbers (exported as numbers to SPSS and Excel)."""
        codes = [v for v, _, _ in self.values if v != MULTIPLE]
        return self.kind in ("single", "grid") and bool(codes) and all(v.isdigit() for v in codes)


def variables(template: Template, *, status_column: bool = False) -> list[Variable]:
    """The dataset's columns in order: form id, unit codes, then every answer code."""
    out = [Variable("form_id", "id", None, "Mã phiếu (không định danh người trả lời)",
                    "Form id (opaque; does not identify the respondent)")]
    out += [Variable(u.code, "unit", None, u.label.vi, u.label.en) for u in template.sample_units]
    if status_column:
        out.append(Variable("status", "status", None, "Tình trạng phiếu", "Form status",
                            (("verified", "Đã xác minh", "Verified"),
                             ("incomplete", "Thiếu trang", "Pages missing"),
                             ("review", "Chờ kiểm tra", "Waiting for review"))))
    for q in template.fields():
        prov = q.provisional or template.provisional
        if isinstance(q, GridField):
            scale = tuple((o.value, o.label.vi, o.label.en) for o in q.scale)
            scale += ((MULTIPLE, MULTIPLE_LABEL["vi"], MULTIPLE_LABEL["en"]),)
            for r in q.rows:
                out.append(Variable(r.code, "grid", q.code, f"{q.label.vi}: {r.label.vi}",
                                    f"{q.label.en}: {r.label.en}", scale, prov or r.provisional, q.note))
        elif isinstance(q, SingleField | MultiField):
            vals = tuple((o.value, o.label.vi, o.label.en) for o in q.options)
            if isinstance(q, SingleField):
                vals += ((MULTIPLE, MULTIPLE_LABEL["vi"], MULTIPLE_LABEL["en"]),)
            out.append(Variable(q.code, q.kind, q.code, q.label.vi, q.label.en, vals, prov, q.note))
            for o in q.options:
                if o.other:
                    out.append(Variable(o.other, "text", q.code, f"{q.label.vi}: {o.label.vi}",
                                        f"{q.label.en}: {o.label.en}", (), prov, None))
        elif isinstance(q, DigitsField | TextField):
            out.append(Variable(q.code, q.kind, q.code, q.label.vi, q.label.en, (), prov, q.note))
    return out


def write_codebook(template: Template, columns: list[str], out: Path, *, status_column: bool = False,
                   dropped: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """``<out>.codebook.md`` and ``<out>.codebook.json`` describing ``columns`` of the dataset."""
    by_name = {v.name: v for v in variables(template, status_column=status_column)}
    chosen = [by_name[c] for c in columns if c in by_name]
    json_path = out.with_name(out.name + ".codebook.json")
    md_path = out.with_name(out.name + ".codebook.md")
    doc = {
        "dataset": out.name, "template": template.name, "version": template.version,
        "instrument": template.instrument, "provisional": template.provisional,
        "coding": "Value codes of the template. Blank = no answer. A multi-choice answer joins its codes with ';'. "
                  f"'{MULTIPLE}' = several boxes marked in a single-choice question and not resolved.",
        "left_out_identity_columns": list(dropped),
        "variables": [asdict(v) for v in chosen],
    }
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    lines = [f"# Codebook: {out.name}", "",
             f"Template **{template.name}** version {template.version} ({template.instrument}); "
             f"{len(chosen)} variables. {doc['coding']}", ""]
    if template.provisional:
        lines += ["> The questionnaire is **provisional**: wording and coding are not confirmed by an official "
                  "text. Variables marked *provisional* below are the least certain.", ""]
    if dropped:
        lines += [f"Left out because the column name looks like respondent identity: {', '.join(dropped)}.", ""]
    lines += ["| variable | kind | question | label (vi) | label (en) | values | provisional |",
              "|---|---|---|---|---|---|---|"]
    for v in chosen:
        values = "; ".join(f"{c} = {vi}" for c, vi, _ in v.values)
        cells = [v.name, v.kind, v.question or "", v.label_vi, v.label_en, values, "yes" if v.provisional else ""]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |")
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return md_path, json_path
