"""sipas OMR pipeline: print, read, review and score SIPAS paper questionnaires."""
