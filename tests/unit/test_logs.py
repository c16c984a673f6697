"""Link tokens never reach the logs."""

from __future__ import annotations

import logging

import pytest

from surveyapp import logs


def test_request_log_lines_lose_their_tokens(caplog: pytest.LogCaptureFixture) -> None:
    logs.install()
    token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"%s" 200 -', f"GET /s/{token}/p/why HTTP/1.1")
        logging.getLogger("werkzeug").info(f"POST /o/{token} 302")
    assert token not in caplog.text
    assert "/s/[token]/p/why" in caplog.text and "/o/[token]" in caplog.text
