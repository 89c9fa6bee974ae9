"""Sample inputs with ground truth: synthetic filled-and-scanned forms and held-out handwriting.

See ``samples/README.md`` for the catalogue.
"""

from __future__ import annotations
