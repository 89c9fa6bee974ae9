"""Fieldwork errors: subclasses of :mod:`omr.errors`, so the CLI and the web app map them in one place."""

from __future__ import annotations

from omr.errors import ConflictError, TemplateError


class SurveyFileError(TemplateError):
    """A survey file is missing or does not follow the schema (exit code 4, like a template)."""


class DrawMismatchError(ConflictError):
    """``--verify``: re-running the draw did not give the recorded lists (exit code 8)."""
