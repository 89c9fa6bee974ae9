"""Scoring: verified records → tidy tables → SIPAS indices, exports and the report.

The scorer never needs images. :mod:`scoring.data` loads verified forms (from the workspace store
or from a ground-truth ``truth.csv``) into a :class:`~scoring.data.Dataset`; :mod:`scoring.indices`
computes the satisfaction, perception and expectation indicators by unit; :mod:`scoring.export`
writes the analyst dataset and its codebook; :mod:`scoring.report` writes the HTML/PDF report.
"""
