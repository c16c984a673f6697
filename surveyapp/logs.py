"""Keep link tokens out of logs: a personal link is a credential (RELIABILITY.md item 3)."""

from __future__ import annotations

import logging
import re

TOKEN_IN_PATH = re.compile(r"/(s|o)/[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    """Replace every link token in `text` with a placeholder."""
    return TOKEN_IN_PATH.sub(r"/\1/[token]", text)


class RedactTokens(logging.Filter):
    """Rewrites a log record so that no token of a personal or open link survives."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


def install() -> None:
    """Filter the request loggers of the development server and of gunicorn."""
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
