"""The workspace store.

:mod:`~omr.store.schema` (tables) and :mod:`~omr.store.db` (opening) hold the database;
:mod:`~omr.store.records` records what became of each scanned page, one transaction per page;
:mod:`~omr.store.images` keeps page images for reviewers; :mod:`~omr.store.manifest` imports the
forms manifest; :mod:`~omr.store.summary` says what a batch or the workspace came to.
"""
