"""Home page and the read-only preview of the shipped surveys."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from surveyapp import create_app


def test_home_lists_every_survey_with_languages_sections_and_questions(
    client: FlaskClient,
) -> None:
    html = client.get("/").get_data(as_text=True)
    for survey_id in ("manual-usability", "city-pilot", "peer-review"):
        assert f"<code>{survey_id}</code>" in html
        for lang in ("en", "fi", "sv"):
            assert f'href="/preview/{survey_id}?lang={lang}"' in html
    assert "en, fi, sv" in html


def test_preview_shows_a_page_in_the_chosen_language(client: FlaskClient) -> None:
    response = client.get("/preview/manual-usability?lang=fi&page=2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fi">' in html
    assert "Sivu 2/8" in html
    assert "disabled" in html, "a preview cannot be answered"


def test_preview_of_unknown_survey_or_page_is_404(client: FlaskClient) -> None:
    assert client.get("/preview/nope").status_code == 404
    assert client.get("/preview/city-pilot?page=99").status_code == 404


def test_preview_is_closed_in_production(app_config: dict[str, Any]) -> None:
    app_config["TESTING"] = False
    client = create_app(app_config).test_client()
    assert client.get("/preview/city-pilot").status_code == 404
    html = client.get("/").get_data(as_text=True)
    assert "manual-usability" not in html
    assert "personal link" in html
