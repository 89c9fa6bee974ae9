"""Synthetic sampling frames (one-stop-shop exports, household lists) with the truth of every row.

See :func:`samples.frame.generate.synth_frame` and ``sipas synth frame --help``.
"""
