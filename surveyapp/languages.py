"""The interface languages: those the interface text is translated into and the built-in
scales are labelled in. Plain Python, so that definitions/ can use it without Flask."""

from __future__ import annotations

INTERFACE_LANGUAGES = ("en", "fi", "sv")
