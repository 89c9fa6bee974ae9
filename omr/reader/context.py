"""Everything a worker process builds once and reuses for every page it reads.

Templates and their layouts, the marker detector, the layout index for pages without a readable
QR, the form ids the workspace knows (to match a misread printed id against), and, created on first
use, the digit reader, the Tesseract APIs and the rendered blank pages of the feature-matching
fallback. OpenCV is told to use one thread: pages are parallel across worker
processes, and on two cores OpenCV's own threads only get in the way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import cv2

from omr.errors import MissingDependencyError, TemplateError
from omr.idmatch import KnownForms, KnownIds
from omr.reader.calibration import Calibration, default_calibration
from omr.reader.config import DEFAULT_CONFIG, ReaderConfig
from omr.reader.features import Reference, make_reference
from omr.reader.fiducials import make_marker_detector
from omr.reader.fixedrefs import FixedPageRefs, load_fixed_page
from omr.reader.layoutmatch import LayoutIndex, PageKey
from omr.reader.ocr import OcrEngine
from omr.template.layout import FormLayout, layout_template
from omr.template.load import builtin_templates, load_template, resolve_template
from omr.template.model import Template

if TYPE_CHECKING:
    from omr.digits import DigitReader


@dataclass
class ReaderContext:
    """Templates, layouts, detectors and lazily created readers of one worker process.

    Build it with :meth:`load`; it is not shared between processes.
    """

    templates: dict[tuple[str, str], Template]
    layouts: dict[tuple[str, str], FormLayout]
    config: ReaderConfig = DEFAULT_CONFIG
    detector: cv2.aruco.ArucoDetector = field(default_factory=make_marker_detector)
    ocr: OcrEngine = field(default_factory=OcrEngine)
    known_ids: KnownIds = field(default_factory=KnownIds)
    """Form ids of the workspace (manifest and forms seen) at scan start; empty = no matching."""
    _digits: DigitReader | None = field(default=None, repr=False)
    _references: dict[tuple[str, str, int], Reference] = field(default_factory=dict, repr=False)
    _index: LayoutIndex | None = field(default=None, repr=False)
    mark_calibration: Calibration | None = field(default_factory=default_calibration, repr=False)
    """Raw field confidence → probability of a right value; ``None`` keeps raw confidences."""
    sources: dict[tuple[str, str], Path] = field(default_factory=dict)
    """The file of each loaded template (a fixed layout's blank and mark images are beside it)."""
    _frames: dict[tuple[str, str, int], FixedPageRefs] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, templates: Sequence[str] | None = None, *, config: ReaderConfig = DEFAULT_CONFIG,
             known: KnownForms = KnownForms()) -> ReaderContext:
        """Load templates (``None`` = every built-in template; else names or YAML paths).

        ``known``: the form ids a misread printed id may be matched against.
        """
        cv2.setNumThreads(1)
        names: Sequence[str] = list(builtin_templates()) if templates is None else templates
        loaded: dict[tuple[str, str], Template] = {}
        sources: dict[tuple[str, str], Path] = {}
        for name in names:
            t = load_template(name)
            key = (t.name, t.version)
            if key in loaded:
                raise TemplateError(f"{name}: template {t.name} version {t.version} is loaded twice")
            loaded[key] = t
            sources[key] = resolve_template(name).resolve()
        layouts = {key: layout_template(t) for key, t in loaded.items()}
        return cls(loaded, layouts, config, known_ids=KnownIds(known.ids, manifest=known.manifest), sources=sources)

    @property
    def known(self) -> set[tuple[str, str]]:
        """(name, version) of every loaded template."""
        return set(self.templates)

    @property
    def digit_reader(self) -> DigitReader:
        """The handwritten-digit reader (its model is loaded on first use)."""
        if self._digits is None:
            from omr.digits import DigitReader

            try:
                self._digits = DigitReader()
            except FileNotFoundError as exc:
                raise MissingDependencyError(
                    f"{exc}; the digit model ships with sipas (omr/models/digits.onnx): reinstall the package "
                    "or run `tools/train_digits.py`"
                ) from exc
        return self._digits

    @property
    def layout_index(self) -> LayoutIndex:
        """Box patterns of every known page (for pages whose QR is unreadable)."""
        if self._index is None:
            pages = [
                (PageKey(name, version, p.number, len(layout.pages)), p)
                for (name, version), layout in self.layouts.items()
                for p in layout.pages
            ]
            self._index = LayoutIndex(pages)
        return self._index

    def reference(self, name: str, version: str, page: int) -> Reference:
        """The rendered blank page of a template page with its features (rendered on first use)."""
        key = (name, version, page)
        if key not in self._references:
            self._references[key] = make_reference(self.templates[(name, version)], page, config=self.config)
        return self._references[key]

    @property
    def fixed(self) -> list[tuple[str, str]]:
        """(name, version) of the loaded templates of forms we did not print."""
        return [key for key, t in self.templates.items() if t.layout is not None]

    def fixed_page(self, name: str, version: str, page: int) -> FixedPageRefs:
        """What aligning and reading a page of a form we did not print needs (loaded on first use)."""
        key = (name, version, page)
        if key not in self._frames:
            template = self.templates[(name, version)]
            source = self.sources.get((name, version), Path.cwd() / f"{name}.yaml")
            self._frames[key] = load_fixed_page(template, page, source, config=self.config)
        return self._frames[key]

    def close(self) -> None:
        """Release the Tesseract APIs (the rest is garbage-collected)."""
        self.ocr.close()
