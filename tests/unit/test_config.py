"""Configuration from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp.config import ConfigError, load_config


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DATABASE_URL",
        "SECRET_KEY",
        "SURVEYS_DIR",
        "EXPORTS_DIR",
        "BASE_URL",
        "FLASK_DEBUG",
        "FLASK_RUN_FROM_CLI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_production_refuses_to_start_without_secret_key() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()


def test_defaults_are_relative_to_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    config = load_config()
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path}/instance/surveyapp.db"
    assert config["SURVEYS_DIR"] == str(tmp_path / "surveys")
    assert config["EXPORTS_DIR"] == str(tmp_path / "exports")
    assert config["BASE_URL"] == "http://127.0.0.1:5000"


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///data/x.db")
    monkeypatch.setenv("SURVEYS_DIR", "defs")
    monkeypatch.setenv("BASE_URL", "https://surveys.example.eu/")
    config = load_config()
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path}/data/x.db"
    assert config["SURVEYS_DIR"] == str(tmp_path / "defs")
    assert config["BASE_URL"] == "https://surveys.example.eu"
    assert config["SECRET_KEY"] == "s3cret"


def test_debug_gets_a_development_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert load_config()["SECRET_KEY"]


def test_postgres_url_is_kept_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://u:p@db:5432/surveys"
    monkeypatch.setenv("DATABASE_URL", url)
    assert load_config({"TESTING": True})["DATABASE_URL"] == url


def test_trusted_proxies_make_the_forwarded_address_the_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from flask import request

    from surveyapp import create_app

    monkeypatch.setenv("SURVEYAPP_TRUSTED_PROXIES", "1")
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr or "")
    seen = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen.get_data(as_text=True) == "203.0.113.7"
    monkeypatch.setenv("SURVEYAPP_TRUSTED_PROXIES", "0")
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    app.add_url_rule("/whoami", "whoami", lambda: request.remote_addr or "")
    seen = app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert seen.get_data(as_text=True) == "127.0.0.1", (
        "without trusted proxies the header is ignored"
    )
