"""Editors' feedback triage and the "you said, we did" report."""

from . import import_views, report_views  # noqa: F401  (register their routes on views.bp)
