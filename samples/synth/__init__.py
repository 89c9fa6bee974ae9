"""Synthetic filled-and-scanned questionnaires with ground truth (``sipas synth``).

Modules, in the order a page is made:

* :mod:`~samples.synth.answers` — what a respondent answers (and the truth it stands for)
* :mod:`~samples.synth.paper` — the printed page of a copy (QR code and form id per copy)
* :mod:`~samples.synth.ink`, :mod:`~samples.synth.marks`, :mod:`~samples.synth.handdigits`,
  :mod:`~samples.synth.handtext` — pens, checkbox marks, handwritten digits and text
* :mod:`~samples.synth.fill` — one respondent's answers on a page; blank backs
* :mod:`~samples.synth.degrade`, :mod:`~samples.synth.scan` — scanner, fax and phone degradations
* :mod:`~samples.synth.writers` — PDF / TIFF batches, JPEG / PNG pages
* :mod:`~samples.synth.generate` — whole sets: batches, truth.csv, pages.csv, manifest

See ``samples/README.md`` for the output format and the qualities.
"""

from __future__ import annotations
