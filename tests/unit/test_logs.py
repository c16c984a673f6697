"""Link tokens never reach the logs."""

from __future__ import annotations

import logging

import pytest

from surveyapp import logs
from surveyapp.services.tokens import new_token


def test_request_log_lines_lose_their_tokens(caplog: pytest.LogCaptureFixture) -> None:
    logs.install()
    token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"%s" 200 -', f"GET /s/{token}/p/why HTTP/1.1")
        logging.getLogger("werkzeug").info(f"POST /o/{token} 302")
    assert token not in caplog.text
    assert "/s/[token]/p/why" in caplog.text and "/o/[token]" in caplog.text


def test_a_peer_reviewers_link_loses_its_token(caplog: pytest.LogCaptureFixture) -> None:
    """/r/<token> is a reviewer's personal link: a credential like /s/ and /o/."""
    logs.install()
    tokens = [new_token() for _ in range(20)]  # every shape new_token gives, "-" and "_" too
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        for token in tokens:
            logging.getLogger("werkzeug").info(
                '"%s" 200 -', f"POST /r/{token}/chapter/how?lang=fi HTTP/1.1"
            )
        logging.getLogger("werkzeug").error(
            "Referer %s", f"https://x.example/r/{tokens[0]}/summary"
        )
    assert not [token for token in tokens if token in caplog.text]
    assert caplog.text.count("/r/[token]/chapter/how?lang=fi") == 20
    assert "https://x.example/r/[token]/summary" in caplog.text


def test_redact_keeps_other_paths() -> None:
    assert logs.redact("/r/short") == "/r/short"  # no token: a short word, not a link
    assert logs.redact("/review/AbCdEfGhIjKlMnOpQrSt/x") == "/review/AbCdEfGhIjKlMnOpQrSt/x"
