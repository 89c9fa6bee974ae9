"""The example pictures in ``docs/images``: one crop of a synthetic scan per quality.

Regenerate them with ``python -m samples.synth.gallery [OUT_DIR]`` (default ``docs/images``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from omr.render import new_copies
from omr.template.load import load_template
from samples.synth.answers import draw_answers
from samples.synth.fill import fill_page, random_hand
from samples.synth.ink import U8
from samples.synth.profile import AnswerProfile
from samples.synth.scan import PROFILES, QUALITIES, Quality, scan_page

# Slips made more frequent than in real sets, so that one picture shows several of them.
SHOWCASE = AnswerProfile(correction=0.08, double_mark=0.03, lone_fill=0.02, skip_question=0.0)
WIDTH = 640  # pixels of the saved crop


def gallery_image(quality: Quality, *, seed: int = 20) -> U8:
    """A downscaled crop (QR code and the first satisfaction rows) of a filled page at ``quality``."""
    template = load_template("sipas-2023")
    rng = np.random.default_rng(seed)
    form_id = new_copies(1, seed)[0].form_id
    answers = draw_answers(template, SHOWCASE, rng)
    paper = fill_page(template, form_id, 3, answers, hand=random_hand(rng), rng=rng)
    scanned = scan_page(paper, profile=PROFILES[quality], rng=np.random.default_rng(seed + 1), turns=0)
    img = scanned.image if scanned.image.ndim == 2 else cv2.cvtColor(scanned.image, cv2.COLOR_RGB2GRAY)
    rows, cols = img.shape
    crop = img[: int(rows * 0.36), int(cols * 0.38) :]
    scale = WIDTH / crop.shape[1]
    small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.asarray(small, np.uint8)


def write_gallery(out_dir: Path) -> list[Path]:
    """Write ``synth-<quality>.png`` for every quality into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for quality in QUALITIES:
        path = out_dir / f"synth-{quality}.png"
        cv2.imwrite(str(path), gallery_image(quality), [cv2.IMWRITE_PNG_COMPRESSION, 9])
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for written in write_gallery(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images")):
        sys.stdout.write(f"wrote {written} ({written.stat().st_size // 1024} KiB)\n")
