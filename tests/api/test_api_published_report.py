"""/api/v1/rounds/<id>/you-said-we-did once a coordinator has published the previous
revision's report (tests/loop_world.py): the frozen version, valid by the schema."""

from __future__ import annotations

from typing import Any

import loop_world
from api_world import ApiClient
from flask.testing import FlaskClient
from loop_world import MEMBER_COMMENTS, OTHER_COMMENT
from sqlalchemy.orm import Session
from test_api_schema import response_schema, validator

from builders import SETUP
from surveyapp.services import published_reports
from surveyapp.services.feedback_changes import update_items

PATH = "/rounds/{round_id}/you-said-we-did"


def test_the_published_report_is_returned_frozen_and_valid(
    api: ApiClient, client: FlaskClient, session: Session
) -> None:
    world = loop_world.build(session)
    url = f"/api/v1/rounds/{world.second.id}/you-said-we-did?lang=fi"
    found: dict[str, Any] = api.get(url).get_json()
    document = client.get("/api/v1/openapi.json").get_json()
    validator(document, response_schema(document, PATH, "200")).validate(found)
    assert found["published"] is True and found["version"] == 1
    assert found["published_at"].endswith("+00:00")
    assert found["counts"]["total"] == 5 and found["counts"]["by_status"]["accepted"] == 2
    notes = {item["note"] for item in found["items"]}
    assert "Kirjoitimme alun uudelleen." in notes
    assert "The checklist stays: auditors ask for it." in notes  # no Finnish: the English
    text = str(found)
    assert all(c not in text for c in [*MEMBER_COMMENTS.values(), OTHER_COMMENT])
    # A later change is not published until a coordinator publishes again.
    item = world.items["how_comment"]
    update_items(session, world.first, [item.id], status="done", actor=SETUP)
    session.commit()
    assert api.get(url).get_json()["counts"]["by_status"]["done"] == 1
    published_reports.publish(session, world.first, actor=SETUP)
    session.commit()
    again = api.get(url).get_json()
    assert again["version"] == 2 and again["counts"]["by_status"]["done"] == 2


def test_an_unpublished_report_says_so_and_is_valid(
    api: ApiClient, client: FlaskClient, session: Session
) -> None:
    world = loop_world.build(session, publish=False)
    found = api.get(f"/api/v1/rounds/{world.second.id}/you-said-we-did").get_json()
    document = client.get("/api/v1/openapi.json").get_json()
    validator(document, response_schema(document, PATH, "200")).validate(found)
    assert found["published"] is False and found["version"] is None
    assert found["published_at"] is None and found["counts"]["total"] == 5
