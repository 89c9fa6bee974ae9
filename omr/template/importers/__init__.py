"""Importers: other systems' form descriptions (queXF banding XML, OMRChecker template.json) as fixed-layout
templates (:mod:`.quexf`, :mod:`.omrchecker`), written as YAML a survey manager can check and edit."""
