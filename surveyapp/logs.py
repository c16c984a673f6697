"""Keep link tokens out of logs: a personal link is a credential (/s/ a survey's, /o/ an
open link, /r/ a peer reviewer's)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from gunicorn.glogging import Logger as _GunicornLogger  # type: ignore[import-untyped]
from gunicorn.glogging import SafeAtoms

TOKEN_IN_PATH = re.compile(r"/(s|o|r)/[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    """Replace every link token in `text` with a placeholder."""
    return TOKEN_IN_PATH.sub(r"/\1/[token]", text)


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactedAtoms(SafeAtoms):  # type: ignore[misc]
    """gunicorn's access-log fields, each redacted as the log format reads it.

    gunicorn gathers fifty-odd fields per request (every header and environ variable) and
    the format reads eight: redacting them all up front was a sixth of a survey page's CPU
    time (benchmarks/load).
    """

    def __getitem__(self, key: str) -> Any:
        return _redact_value(super().__getitem__(key))


class RedactTokens(logging.Filter):
    """Rewrites a log record so that no token of a personal or open link survives.

    gunicorn's access log passes its fields as one mapping (`"%(U)s" % atoms`): the mapping
    is redacted and kept a mapping, or formatting would fail and print the raw fields.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if isinstance(record.args, RedactedAtoms):
            pass  # redacted as it is read
        elif isinstance(record.args, Mapping):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        elif record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(_redact_value(a) for a in args)
        return True


class GunicornLogger(_GunicornLogger):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's logger with tokens redacted from every access-log field (`logger_class`).

    Also covers access logs sent to syslog or set up by a logging config file, where the
    filter of `install()` would not be attached: every handler formats the record through
    RedactedAtoms.
    """

    atoms_wrapper_class = RedactedAtoms


def install() -> None:
    """Filter the request loggers of the development server and of gunicorn."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
