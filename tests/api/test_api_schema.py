"""Every endpoint's real answer against its schema in /api/v1/openapi.json (jsonschema, with
the document's `$ref`s resolved by `referencing`)."""

from __future__ import annotations

from typing import Any

import pytest
from api_world import ApiClient, World
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

DOCUMENT_URI = "urn:surveyapp:openapi"


@pytest.fixture
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    found: dict[str, Any] = response.get_json()
    return found


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """A validator of `schema` (a `$ref` into the document) that resolves the document's refs."""
    registry = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(document))
    return Draft202012Validator({"$ref": DOCUMENT_URI + schema["$ref"]}, registry=registry)


def response_schema(document: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    response = document["paths"][path]["get"]["responses"][status]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def test_the_document_is_openapi_3_1_and_its_schemas_are_valid(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/rounds",
        "/rounds/{round_id}/results",
        "/rounds/{round_id}/you-said-we-did",
        "/rounds/{round_id}/codebook",
        "/openapi.json",
    }
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # raises SchemaError naming the problem


def test_every_endpoint_answers_as_its_schema_says(
    api: ApiClient, world: World, document: dict[str, Any]
) -> None:
    checked = set()
    for round_ in (world.previous, world.current):
        calls = {
            "/rounds": ["/api/v1/rounds"],
            "/rounds/{round_id}/results": [
                f"/api/v1/rounds/{round_.id}/results",
                f"/api/v1/rounds/{round_.id}/results?q=role:manager&lang=sv",
                f"/api/v1/rounds/{round_.id}/results?language=sv",
            ],
            "/rounds/{round_id}/you-said-we-did": [f"/api/v1/rounds/{round_.id}/you-said-we-did"],
            "/rounds/{round_id}/codebook": [f"/api/v1/rounds/{round_.id}/codebook?lang=fi"],
        }
        for path, urls in calls.items():
            for url in urls:
                response = api.get(url)
                assert response.status_code == 200, url
                errors = list(
                    validator(document, response_schema(document, path, "200")).iter_errors(
                        response.get_json()
                    )
                )
                assert not errors, (url, [e.message for e in errors[:3]])
                checked.add(path)
    assert checked == {p for p in document["paths"] if p != "/openapi.json"}


def test_the_errors_answer_as_their_schema_says(
    client: FlaskClient, api: ApiClient, document: dict[str, Any]
) -> None:
    cases = [
        (client.get("/api/v1/rounds"), "/rounds", "401"),
        (api.get("/api/v1/rounds/999999/results"), "/rounds/{round_id}/results", "404"),
    ]
    for response, path, status in cases:
        assert str(response.status_code) == status
        schema = response_schema(document, path, status)
        assert not list(validator(document, schema).iter_errors(response.get_json()))


def test_a_wrong_answer_would_be_caught(document: dict[str, Any]) -> None:
    """The check is real: a free text where a count belongs does not pass."""
    schema = response_schema(document, "/rounds/{round_id}/results", "200")
    wrong = {"round_id": 1, "questions": [{"question_id": "q", "n": "a comment"}]}
    assert list(validator(document, schema).iter_errors(wrong))
