"""Editors' feedback triage and the "you said, we did" report."""
