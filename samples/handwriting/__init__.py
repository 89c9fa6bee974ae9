"""Held-out handwritten digits for synthetic test forms.

``digits.npz`` holds 4,000 real handwritten digits that the digit reader (``omr/digits.py``)
never saw in training: 3,000 from MNIST t10k and 1,000 from UCI optdigits ``.windep`` (writers
not in the optdigits training files). Each image is 28x28 uint8 in MNIST style: **white ink
(255) on black (0)**, the digit fitted into a 20x20 box and centred by its centre of mass.
``tools/train_digits.py --samples`` rebuilds the file; ``LICENSE.md`` gives the attributions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["DIGITS_PATH", "HandwrittenDigits", "load_digits", "load_sources"]

DIGITS_PATH: Final = Path(__file__).parent / "digits.npz"


class HandwrittenDigits(NamedTuple):
    """Digit images and labels; unpacks as ``images, labels = load_digits()``.

    Attributes
    ----------
    images
        (N, 28, 28) uint8, white ink on black (MNIST style).
    labels
        (N,) int64, the digit 0-9 of each image.
    """

    images: NDArray[np.uint8]
    labels: NDArray[np.int64]


def load_digits() -> HandwrittenDigits:
    """Load the committed held-out digits.

    Returns
    -------
    HandwrittenDigits
        A ``(images, labels)`` tuple: (N, 28, 28) uint8 white-on-black images and (N,) int64 labels.
    """
    with np.load(DIGITS_PATH) as data:
        images = np.asarray(data["images"], dtype=np.uint8)
        labels = np.asarray(data["labels"], dtype=np.int64)
    return HandwrittenDigits(images, labels)


def load_sources() -> tuple[NDArray[np.str_], NDArray[np.int64]]:
    """Where each digit of :func:`load_digits` comes from.

    Returns
    -------
    tuple[NDArray[np.str_], NDArray[np.int64]]
        Per digit, the source name (``"mnist_t10k"`` or ``"optdigits_windep"``) and the digit's
        index in that source file.
    """
    with np.load(DIGITS_PATH) as data:
        return np.asarray(data["source"], dtype=np.str_), np.asarray(data["index"], dtype=np.int64)
