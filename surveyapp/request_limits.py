"""What a request may carry: a body within MAX_CONTENT_LENGTH however it is sent, a form of
at most MAX_FORM_PARTS fields, and ids in URLs that a database column can hold.

Werkzeug checks a body's Content-Length and a multipart form's parts itself; these cover
what it leaves: a chunked body, a URL-encoded form's fields, numbers in paths.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns: PostgreSQL holds up to 2**31 - 1 (SQLite more).
MAX_ID = 2**31 - 1


def numbers_up_to(limit: int) -> str:
    """A regular expression of the whole numbers 1 to `limit` (>= 10), without leading zeros:
    those with fewer digits, then those with as many, digit by digit."""
    text = str(limit)
    options = [f"[1-9][0-9]{{0,{len(text) - 2}}}"]
    for i, digit in enumerate(text):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            options.append(f"{text[:i]}[{low}-{int(digit) - 1}][0-9]{{{len(text) - i - 1}}}")
    return "|".join([*options, text])


class IdConverter(IntegerConverter):
    """`<id:name>`: a database id, 1 to MAX_ID, written without leading zeros.

    The range is in the pattern, not only checked after a match: Werkzeug tells a path's
    methods apart before it converts, so a number refused later would be a 405 on routes
    with a GET and a POST rule. Any other number (0, 2**63, 10**5000) is a 404, never an
    overflow in a query.
    """

    regex = f"(?:{numbers_up_to(MAX_ID)})"


class TooManyFields(RequestEntityTooLarge):
    """A form with more fields than MAX_FORM_PARTS."""


def refuse_oversize_input() -> None:
    """413 for a chunked body over MAX_CONTENT_LENGTH or a URL-encoded form of more fields
    than MAX_FORM_PARTS, before anything reads the form."""
    refuse_oversize_chunked_body()
    if request.mimetype == "application/x-www-form-urlencoded":
        # Werkzeug applies MAX_FORM_PARTS to multipart forms only; a URL-encoded one of a
        # million empty fields would take hundreds of MB to parse. Form parsing later reuses
        # the body cached here.
        body = request.get_data(cache=True)
        if body.count(b"&") >= (request.max_form_parts or len(body) + 1):
            raise TooManyFields()


def refuse_oversize_chunked_body() -> None:
    """A body sent without a Content-Length (chunked) over MAX_CONTENT_LENGTH gets a 413.

    Werkzeug stops reading such a body at the limit without a word, and the form would be
    parsed from its first part as if that were all. So it is read here, up to the limit, and
    one byte more from the server's stream tells whether there was more. (A body with a
    Content-Length over the limit is refused by Werkzeug before it is read.)
    """
    environ = request.environ
    limit = request.max_content_length
    if "HTTP_TRANSFER_ENCODING" not in environ or request.content_length is not None:
        return  # no body, or one whose length Werkzeug checks
    if limit is None or not environ.get("wsgi.input_terminated"):
        return  # Werkzeug reads no body of unknown length from a server that does not end it
    if len(request.get_data(cache=True)) >= limit and environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
