"""Find the external programs and data files sipas relies on, or say how to install them."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from omr.errors import MissingDependencyError

TESSDATA_ROOT = Path("/usr/share/tesseract-ocr")  # Debian: <root>/<version>/tessdata
CHROMIUM_CANDIDATES = (Path("/usr/lib/chromium/chromium"), Path("/usr/bin/chromium"))


def _version_key(path: Path) -> list[int]:
    """Sort key for ``/usr/share/tesseract-ocr/<version>/tessdata``: newest version last."""
    return [int(n) for n in re.findall(r"\d+", path.parent.name)]


def _has_langs(directory: Path, langs: Iterable[str]) -> bool:
    return all((directory / f"{lang}.traineddata").is_file() for lang in langs)


def tessdata_dir(langs: Iterable[str] = ("eng", "vie")) -> Path:
    """The Tesseract data folder holding ``<lang>.traineddata`` for every language in ``langs``.

    ``TESSDATA_PREFIX`` wins when set (either the tessdata folder itself or its parent, as
    Tesseract 3 expected); otherwise the newest ``/usr/share/tesseract-ocr/*/tessdata`` is used.
    The tesserocr wheel needs this path passed explicitly (its built-in default is ``./``).
    """
    wanted = tuple(langs)
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        for candidate in (Path(prefix), Path(prefix) / "tessdata"):
            if _has_langs(candidate, wanted):
                return candidate
        raise MissingDependencyError(
            f"TESSDATA_PREFIX={prefix} holds no {', '.join(f'{lang}.traineddata' for lang in wanted)}. "
            "Point it at the folder that does, or unset it to use the Debian packages "
            f"({', '.join(f'tesseract-ocr-{lang}' for lang in wanted)})."
        )
    found = sorted(TESSDATA_ROOT.glob("*/tessdata"), key=_version_key, reverse=True)
    for candidate in found:
        if _has_langs(candidate, wanted):
            return candidate
    missing = sorted({lang for lang in wanted if not any(_has_langs(c, [lang]) for c in found)})
    packages = " ".join(f"tesseract-ocr-{lang}" for lang in missing) or "tesseract-ocr"
    where = ", ".join(str(c) for c in found) or f"{TESSDATA_ROOT}/*/tessdata"
    raise MissingDependencyError(
        f"Tesseract language data {', '.join(missing or wanted)} not found in {where}. "
        f"Run `make setup`, or install it with `sudo apt-get install {packages}`, "
        "or set TESSDATA_PREFIX to a folder holding the .traineddata files."
    )


def which_or_raise(name: str, package: str) -> Path:
    """The absolute path of program ``name`` on PATH, or an error naming the Debian ``package``."""
    found = shutil.which(name)
    if found is None:
        raise MissingDependencyError(
            f"The program '{name}' was not found on PATH. Run `make setup`, "
            f"or install it with `sudo apt-get install {package}`."
        )
    return Path(found)


def chromium_path() -> Path:
    """Debian's Chromium binary (the real one beats the /usr/bin shell wrapper by ~1 s per launch)."""
    for candidate in CHROMIUM_CANDIDATES:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise MissingDependencyError(
        f"Chromium was not found at {' or '.join(str(c) for c in CHROMIUM_CANDIDATES)}. "
        "Run `make setup`, or install it with `sudo apt-get install chromium` "
        "(never `playwright install`: it cannot download here)."
    )
