"""Questionnaire templates: the model, loading and validation, and the computed layout."""

from __future__ import annotations

from omr.template.load import builtin_templates, load_template, resolve_template
from omr.template.model import Template

__all__ = ["Template", "builtin_templates", "load_template", "resolve_template"]
