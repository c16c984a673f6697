"""Every respondent page in every interface language: no English interface string left on it.

The test survey is copied with every interface language declared; its own texts stay in
English, Finnish and Swedish (the round is opened with the others allowed incomplete), so
only the interface text is under test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS
from language_check import english_left, respondent_pages
from surveyapp.definitions import SurveyRegistry
from surveyapp.languages import INTERFACE_LANGUAGES
from surveyapp.models import Round
from surveyapp.services import rounds

TRANSLATED = INTERFACE_LANGUAGES[1:]  # English is the source


@pytest.fixture(scope="module")
def every_language_registry(tmp_path_factory: pytest.TempPathFactory) -> SurveyRegistry:
    folder = tmp_path_factory.mktemp("surveys")
    source = (TEST_SURVEYS / "respond-test.yaml").read_text(encoding="utf-8")
    declared = f"languages: [{', '.join(INTERFACE_LANGUAGES)}]"
    text = re.sub(r"(?m)^languages: \[.*\]$", declared, source)
    (folder / "respond-test.yaml").write_text(text, encoding="utf-8")
    return SurveyRegistry(folder)


@pytest.fixture
def every_language_round(session: Session, every_language_registry: SurveyRegistry) -> Round:
    incomplete = [lang for lang in TRANSLATED if lang not in ("fi", "sv")]
    round_ = rounds.open_round(
        session,
        every_language_registry,
        "respond-test",
        "0.3",
        allow_incomplete=incomplete,
        actor=SETUP,
    )
    session.commit()
    return round_


def test_every_eu_language_has_an_interface() -> None:
    eu = "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv"
    assert set(eu.split()) <= set(INTERFACE_LANGUAGES)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_english_interface_text_on_any_respondent_page(
    client: FlaskClient,
    session: Session,
    lang: str,
    every_language_round: Round,
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    invitation = make_invitation(every_language_round, make_participant(language=lang))
    base = f"/s/{invitation.token}"
    for number, html in enumerate(respondent_pages(client, base, session, invitation), 1):
        assert f'<html lang="{lang}">' in html, f"page {number} is not in {lang}"
        assert english_left(html, lang) == [], f"page {number} has English text in {lang}"


def test_the_check_finds_english_text() -> None:
    html = '<html lang="fi"><body><button>Next</button><p>Page 2 of 5</p></body></html>'
    found = {left.split(" (in ")[0] for left in english_left(html, "fi")}
    assert found >= {"Next", "Page %(page)s of %(total)s"}
    foreign = '<html lang="fi"><body><p lang="en">Next</p><p>Import: Next page</p></body></html>'
    assert english_left(foreign, "fi") == []
