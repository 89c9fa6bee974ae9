"""The ``sipas`` command line: the shell that composes the other packages.

``omr`` (the reading engine and its store), ``fieldwork`` (sampling and the post), ``scoring``
(indices, reports, datasets), ``review_ui`` (the web app) and ``samples`` (synthetic data) know
nothing of this package; :mod:`sipas.cli` assembles their commands and is the one place that turns
errors into exit codes.
"""
