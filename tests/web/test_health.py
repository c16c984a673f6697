"""GET /healthz reports whether the database answers."""

from __future__ import annotations

from typing import Any

from surveyapp import create_app


def test_healthz_is_200_with_the_database_reachable(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(app_config: dict[str, Any]) -> None:
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    app_config["DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"
    response = create_app(app_config).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_every_page_carries_the_security_headers(client: Any) -> None:
    headers = client.get("/healthz").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
