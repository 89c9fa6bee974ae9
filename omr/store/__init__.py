"""The workspace store: schema in :mod:`omr.store.schema`; opening and queries in :mod:`omr.store.db`."""
