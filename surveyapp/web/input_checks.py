"""The refusal of input that cannot be read: invalid UTF-8, or a NUL character."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import request
from werkzeug.exceptions import BadRequest

# Views that deal with NUL themselves, more kindly than a 400 page: a respondent's answers
# lose the invisible character and are saved; the participant search drops it; the
# workspace forms say so next to the field and keep what was typed. None stores a NUL.
HANDLE_NUL_THEMSELVES = frozenset(
    {
        "respond.save",
        "coordinate.participants",
        "coordinate.edit_participant",
        "coordinate.new_round",
        "coordinate.import_participants",
    }
)


class UnreadableInput(BadRequest):
    """A query string or form with invalid UTF-8 or a NUL character."""


def refuse_unreadable_input() -> None:
    """Refuse invalid UTF-8 (and NUL characters) with a clear 400, before anything is stored.

    Werkzeug would turn `%FF` into the text "%FF", drop a whole form whose raw bytes are not
    UTF-8, answer a raw non-UTF-8 query string with a 500, and pass NUL on to the database
    (which PostgreSQL refuses).
    """
    nul_ok = request.endpoint in HANDLE_NUL_THEMSELVES
    if not is_readable(request.query_string, nul_ok):
        raise UnreadableInput()
    if request.mimetype == "application/x-www-form-urlencoded":
        # Form parsing later reuses the body cached here.
        if not is_readable(request.get_data(cache=True), nul_ok):
            raise UnreadableInput()
    elif request.mimetype == "multipart/form-data":
        # Werkzeug decodes multipart fields with U+FFFD for bad bytes; files stay bytes.
        bad = ("\ufffd",) if nul_ok else ("\ufffd", "\x00")
        fields = request.form.items(multi=True)
        if any(c in text for pair in fields for text in pair for c in bad):
            raise UnreadableInput()


def is_readable(encoded: bytes, nul_ok: bool = False) -> bool:
    """True if every name and value of a URL-encoded string is UTF-8 (without NUL)."""
    for part in encoded.split(b"&"):
        try:
            text = unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return False
        if "\x00" in text and not nul_ok:
            return False
    return True
