"""Editors' feedback triage and the "you said, we did" report."""

from . import import_views  # noqa: F401  (registers the Excel import's routes on views.bp)
