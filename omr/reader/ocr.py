"""Tesseract through tesserocr: one API per (language, page mode, whitelist), created on first use.

The tesserocr wheel looks for its language data in ``./`` unless told otherwise, so the path
always comes from :func:`omr._tools.tessdata_dir`. Each worker process keeps its own APIs
(creating one costs about 0.1-0.15 s; a field then costs about 10-70 ms).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from omr._tools import tessdata_dir
from omr.errors import MissingDependencyError


@dataclass(frozen=True)
class OcrResult:
    """Recognised text (NFC, whitespace collapsed) and Tesseract's mean word confidence (0..1)."""

    text: str
    confidence: float


class OcrEngine:
    """Lazily created tesserocr APIs, reused for every call in this process."""

    def __init__(self) -> None:
        self._apis: dict[tuple[str, int, str], object] = {}

    def _api(self, lang: str, psm: int, whitelist: str) -> object:
        key = (lang, psm, whitelist)
        if key not in self._apis:
            try:
                import tesserocr
            except ImportError as exc:  # pragma: no cover - a pinned requirement
                raise MissingDependencyError("tesserocr is not installed: run `make setup`") from exc
            path = str(tessdata_dir((lang,)))
            api = tesserocr.PyTessBaseAPI(path=path + "/", lang=lang, psm=psm)
            if whitelist:
                api.SetVariable("tessedit_char_whitelist", whitelist)
            self._apis[key] = api
        return self._apis[key]

    def read(self, image: NDArray[np.uint8], *, lang: str = "vie", psm: int = 6, whitelist: str = "") -> OcrResult:
        """OCR a grayscale crop (dark text on light paper).

        Parameters
        ----------
        image : (M, N) ndarray of uint8
            The crop, about 300 dpi.
        lang : str, optional
            Tesseract language (``vie`` for Vietnamese handwriting guesses, ``eng`` for ids).
        psm : int, optional
            Page segmentation mode (6 = a single block, 7 = a single line).
        whitelist : str, optional
            Allowed characters (empty = all).

        Returns
        -------
        OcrResult
        """
        api = self._api(lang, psm, whitelist)
        api.SetImage(Image.fromarray(np.ascontiguousarray(image)))  # type: ignore[attr-defined]
        text = unicodedata.normalize("NFC", api.GetUTF8Text() or "")  # type: ignore[attr-defined]
        confs = [c for c in api.AllWordConfidences() if c >= 0]  # type: ignore[attr-defined]
        confidence = float(np.mean(confs)) / 100.0 if confs else 0.0
        return OcrResult(" ".join(text.split()), confidence)

    def close(self) -> None:
        """Release the Tesseract APIs."""
        for api in self._apis.values():
            api.End()  # type: ignore[attr-defined]
        self._apis.clear()
