"""Questionnaire templates as data: one YAML file per instrument and version.

This package holds no code; :func:`omr.template.load.builtin_templates` lists its YAML files.
"""
