"""The import report's problems in the page's language (services keep their English text)."""

from __future__ import annotations

from typing import Any

from ..i18n import _l
from ..services.csv_input import RowProblem

# The same codes and parameters as services.csv_input.MESSAGES, in gettext's format.
PROBLEMS: dict[str, Any] = {
    "empty_file": _l("The file is empty."),
    "spreadsheet_file": _l("This is an Excel workbook: save it as 'CSV UTF-8' and import that."),
    "unreadable_file": _l("The file is not text in UTF-8, UTF-16 or Windows-1252."),
    "no_email_column": _l("The header row has no email column (found: %(columns)s)."),
    "unclosed_quote": _l("A quote opened on this line is never closed; nothing was imported."),
    "malformed_row": _l("The row could not be read (%(detail)s); check its quotes."),
    "extra_fields": _l(
        "The row has %(count)s values but the header has %(expected)s columns; "
        "a value that contains the delimiter must be in quotes."
    ),
    "missing_email": _l("The row has no email address."),
    "invalid_email": _l("'%(value)s' is not a valid email address."),
    "unknown_language": _l("'%(value)s' is not a known language; use a code such as en, fi or sv."),
    "country_code_as_language": _l(
        "'%(value)s' is a country code; the language is '%(suggestion)s'."
    ),
    "duplicate_email": _l("%(email)s is already on line %(first_line)s; this row was skipped."),
    "too_long": _l(
        "The value in the column “%(field)s” is %(length)s characters long; at most %(max)s fit."
    ),
}

# Column names as the page's language calls them (the service reports its own field keys).
FIELD_NAMES: dict[str, Any] = {
    "email": _l("Email"),
    "name": _l("Name"),
    "organisation": _l("Organisation"),
    "city": _l("City"),
    "country": _l("Country"),
    "group": _l("Group"),
}


def problem_message(problem: RowProblem) -> str:
    """The problem's text in the current language; the service's English for unknown codes."""
    text = PROBLEMS.get(problem.code)
    if text is None:
        return problem.message
    params = dict(problem.params)
    if "field" in params:
        params["field"] = str(FIELD_NAMES.get(str(params["field"]), params["field"]))
    return str(text) % params
