"""The demo's scans: a small synthetic batch of every built-in questionnaire, regenerated on demand.

Nothing here is committed as images: :func:`make_demo_set` writes the same bytes every time.
The set is what an operator would get from one morning's post: office-scanned PDF batches of
each template, one faxed form and a few phone photos of another, with the ground truth to score
the reading against::

    <out>/
      sipas-2023-office/   batch-*.pdf + truth.csv, pages.csv, forms.manifest.csv, synth.json
      sipas-2019-office/   …
      sipas-2019-fax/      one form faxed (1-bit, 200 dpi)
      sipas-2023-photo/    one form photographed with a phone (JPEG files)
      truth.csv            every form's truth, all sets together
      pages.csv            every page, ``file`` relative to <out>
      sipas-2023.manifest.csv, sipas-2019.manifest.csv   one manifest per template (for `sipas scan -m`)
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from omr.template.load import builtin_templates
from samples.synth.generate import SynthOptions, generate
from samples.synth.scan import Quality
from samples.synth.writers import Format


@dataclass(frozen=True)
class DemoPart:
    """One synthetic set of the demo."""

    template: str
    quality: Quality
    format: Format
    count: int
    seed: int

    @property
    def folder(self) -> str:
        return f"{self.template}-{self.quality}"


@dataclass(frozen=True)
class DemoSet:
    """Where :func:`make_demo_set` put things."""

    root: Path
    folders: tuple[Path, ...]
    truth: Path
    pages: Path
    manifests: tuple[Path, ...]


def demo_parts(forms_per_template: int = 4) -> tuple[DemoPart, ...]:
    """The sets the demo is made of (office batches of each template, a fax, a few photos)."""
    names = list(builtin_templates())
    parts = [DemoPart(name, "office", "pdf", forms_per_template, 2023 + k) for k, name in enumerate(names)]
    if "sipas-2019" in names:
        parts.append(DemoPart("sipas-2019", "fax", "pdf", 1, 3019))
    if "sipas-2023" in names:
        parts.append(DemoPart("sipas-2023", "photo", "jpeg", 1, 3023))
    return tuple(parts)


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def make_demo_set(out_dir: Path, *, forms_per_template: int = 4, jobs: int = 1) -> DemoSet:
    """Write the demo's scans and ground truth into ``out_dir`` (replacing an earlier demo set).

    Deterministic: the same arguments give the same bytes. Takes about a quarter of a second per
    page on one core (some 40 pages with the defaults).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    folders: list[Path] = []
    truth: list[list[str]] = []
    pages: list[list[str]] = []
    manifests: dict[str, tuple[list[str], list[list[str]]]] = {}
    truth_head: list[str] = []
    pages_head: list[str] = []
    for part in demo_parts(forms_per_template):
        folder = out_dir / part.folder
        generate(SynthOptions(template=part.template, count=part.count, seed=part.seed, quality=part.quality,
                              format=part.format, out=folder, jobs=jobs, force=True))
        folders.append(folder)
        truth_head, rows = _read(folder / "truth.csv")
        truth += rows
        pages_head, rows = _read(folder / "pages.csv")
        pages += [[f"{part.folder}/{r[0]}", *r[1:]] for r in rows]
        head, rows = _read(folder / "forms.manifest.csv")
        merged = manifests.setdefault(part.template, (head, []))
        merged[1].extend(rows)
    ids = [row[0] for _, rows in manifests.values() for row in rows]
    if len(set(ids)) != len(ids):
        raise RuntimeError("two demo sets drew the same form id; change a seed in samples/demo.py")
    _write(out_dir / "truth.csv", truth_head, truth)
    _write(out_dir / "pages.csv", pages_head, pages)
    manifest_paths = []
    for name, (head, rows) in manifests.items():
        path = out_dir / f"{name}.manifest.csv"
        _write(path, head, rows)
        manifest_paths.append(path)
    return DemoSet(out_dir, tuple(folders), out_dir / "truth.csv", out_dir / "pages.csv", tuple(manifest_paths))
