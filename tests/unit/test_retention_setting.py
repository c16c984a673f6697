"""RETENTION_DAYS: unset keeps personal data; a mistyped value stops the app at start."""

from __future__ import annotations

import pytest

from surveyapp.config import ConfigError, load_config


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.delenv("RETENTION_DAYS", raising=False)


@pytest.mark.parametrize(
    ("value", "days"), [(None, None), ("", None), (" ", None), ("0", 0), ("365", 365)]
)
def test_retention_days_is_a_number_of_days_or_unset(
    monkeypatch: pytest.MonkeyPatch, value: str | None, days: int | None
) -> None:
    if value is not None:
        monkeypatch.setenv("RETENTION_DAYS", value)
    assert load_config()["RETENTION_DAYS"] == days


@pytest.mark.parametrize("value", ["-1", "30d", "1.5", "one year"])
def test_a_mistyped_retention_stops_the_start(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("RETENTION_DAYS", value)
    with pytest.raises(ConfigError, match="RETENTION_DAYS must be a number of days"):
        load_config()
