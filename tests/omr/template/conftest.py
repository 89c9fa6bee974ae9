"""Pages of our own form rendered without its QR and corner markers: a blank of a form "we did not print"."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from omr.render import FormCopy, render_pdf
from omr.template.layout import FormLayout, layout_template
from omr.template.load import load_template

DPI = 150.0


def _unmarked(tmp: Path, pages: tuple[int, ...]) -> tuple[FormLayout, dict[int, NDArray[np.uint8]]]:
    template = load_template("sipas-2023")
    layout = layout_template(template)
    pdf = tmp / "form.pdf"
    pdf.write_bytes(render_pdf(template, [FormCopy("K7M2Q9X0")]))
    out: dict[int, NDArray[np.uint8]] = {}
    k = DPI / 25.4
    for n in pages:
        subprocess.run(["pdftoppm", "-r", str(int(DPI)), "-gray", "-f", str(n), "-l", str(n), "-singlefile", str(pdf),
                        str(tmp / f"p{n}")], check=True)
        image = np.asarray(cv2.imread(str(tmp / f"p{n}.pgm"), cv2.IMREAD_GRAYSCALE), dtype=np.uint8)
        page = layout.page(n)
        for r in [f.rect for f in page.fiducials] + [page.printed_qr, page.printed_id]:
            image[int(r.y * k) - 2 : int(r.bottom * k) + 3, int(r.x * k) - 2 : int(r.right * k) + 3] = 255
        out[n] = image
    return layout, out


@pytest.fixture(scope="session")
def unmarked_pages(tmp_path_factory: pytest.TempPathFactory) -> tuple[FormLayout, dict[int, NDArray[np.uint8]]]:
    """The layout of sipas-2023 and its pages 2, 3 and 5 at 150 dpi, painted white over fiducials, QR and id."""
    return _unmarked(tmp_path_factory.mktemp("unmarked"), (2, 3, 5))
