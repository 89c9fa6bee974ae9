"""The choices ``sipas synth`` offers (a light module: the command's --help reads them without numpy or
OpenCV): scan qualities, output formats and scanner families."""

from __future__ import annotations

from typing import Literal

Quality = Literal["clean", "office", "fax", "photo"]
QUALITIES: tuple[Quality, ...] = ("clean", "office", "fax", "photo")
Format = Literal["pdf", "tiff", "jpeg", "png"]
FORMATS: tuple[Format, ...] = ("pdf", "tiff", "jpeg", "png")
FamilyChoice = Literal["tuning", "evaluation", "all"]
