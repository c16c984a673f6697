"""The OpenAPI 3.1 document of the read API, served at /api/v1/openapi.json.

Hand-written beside payloads.py: tests/api/test_api_schema.py checks every endpoint's real
answer against its schema here, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import copy
from typing import Any

JSON = dict[str, Any]


def _ref(name: str) -> JSON:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: JSON) -> JSON:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: JSON, *, extra: bool = False) -> JSON:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": extra,
    }


STRING, INTEGER, NUMBER, BOOLEAN = (
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
)
DATE_TIME = _nullable({"type": "string", "format": "date-time"})
STATUSES = ["new", "accepted", "partly_accepted", "rejected", "duplicate", "done"]
QUESTION_TYPES = ["single", "multi", "likert", "rating", "matrix", "text", "number"]
ANSWER_VALUE = {"type": ["string", "integer", "number"]}

SCHEMAS: JSON = {
    "Error": _object({"error": STRING}),
    "Texts": {
        "description": "A text per language code; English is always there.",
        "type": "object",
        "additionalProperties": STRING,
        "required": ["en"],
    },
    "Count": {
        "description": (
            "A count, or why it is not shown: `fewer_than` (from 1 to the anonymity "
            "threshold - 1) or `withheld` (hidden so that a small count beside it cannot be "
            "worked out)."
        ),
        "oneOf": [
            {"type": "integer", "minimum": 0},
            _object({"fewer_than": {"type": "integer", "minimum": 1}}),
            _object({"withheld": {"const": True}}),
        ],
    },
    "Round": _object(
        {
            "id": INTEGER,
            "survey_id": STRING,
            "title": _ref("Texts"),
            "languages": {"type": "array", "items": STRING},
            "revision": STRING,
            "status": {"enum": ["draft", "open", "closed"]},
            "state": {"enum": ["draft", "open", "not_yet_open", "closed"]},
            "anonymous": BOOLEAN,
            "opens_at": DATE_TIME,
            "closes_at": DATE_TIME,
            "opened_at": DATE_TIME,
            "closed_at": DATE_TIME,
            "invited": {"type": "integer", "minimum": 0},
            "submitted": {"type": "integer", "minimum": 0},
        }
    ),
    "RoundList": _object({"rounds": {"type": "array", "items": _ref("Round")}}),
    "ValueCount": _object(
        {
            "value": ANSWER_VALUE,
            "label": STRING,
            "count": _ref("Count"),
            "share": _nullable({"type": "number", "minimum": 0, "maximum": 1}),
        }
    ),
    "QuestionResult": _object(
        {
            "question_id": STRING,
            "row": _nullable(STRING),
            "row_label": _nullable(STRING),
            "chapter": _nullable(STRING),
            "topic": _nullable(STRING),
            "type": {"enum": QUESTION_TYPES},
            "text": STRING,
            "n": _ref("Count"),
            "not_applicable": _ref("Count"),
            "no_answer": _ref("Count"),
            "mean": _nullable(NUMBER),
            "median": _nullable(NUMBER),
            "counts": {"type": "array", "items": _ref("ValueCount")},
        }
    ),
    "ChapterResult": _object(
        {"chapter": STRING, "title": STRING, "mean": _nullable(NUMBER), "n": INTEGER}
    ),
    "Results": _object(
        {
            "round_id": INTEGER,
            "lang": STRING,
            "anonymous": BOOLEAN,
            "anonymity_min_count": {"type": "integer", "minimum": 1},
            "filters": _object({"language": _nullable(STRING), "answer": _nullable(STRING)}),
            "filters_refused": BOOLEAN,
            "submitted": _ref("Count"),
            "questions": {"type": "array", "items": _ref("QuestionResult")},
            "chapters": {"type": "array", "items": _ref("ChapterResult")},
        }
    ),
    "StatusCounts": {
        "type": "object",
        "properties": {s: {"type": "integer", "minimum": 0} for s in STATUSES},
        "required": STATUSES,
        "additionalProperties": False,
    },
    "FeedbackItem": _object(
        {
            "chapter": _nullable(STRING),
            "section": STRING,
            "question_id": STRING,
            "question": STRING,
            "status": {"enum": STATUSES},
            "note": STRING,
            "addressed_in_revision": _nullable(STRING),
        }
    ),
    "YouSaidWeDid": _object(
        {
            "round_id": INTEGER,
            "lang": STRING,
            "published": BOOLEAN,
            "version": _nullable({"type": "integer", "minimum": 1}),
            "published_at": _nullable({"type": "string", "format": "date-time"}),
            "previous_round": _nullable(
                _object({"id": INTEGER, "revision": STRING, "anonymous": BOOLEAN})
            ),
            "items": {"type": "array", "items": _ref("FeedbackItem")},
            "counts": _object(
                {
                    "total": INTEGER,
                    "by_status": _ref("StatusCounts"),
                    "by_chapter": {
                        "type": "array",
                        "items": _object(
                            {
                                "chapter": _nullable(STRING),
                                "title": _nullable(STRING),
                                "by_status": _ref("StatusCounts"),
                            }
                        ),
                    },
                }
            ),
        }
    ),
    "CodePoint": _object({"value": ANSWER_VALUE, "label": _ref("Texts")}),
    "CodebookQuestion": _object(
        {
            "id": STRING,
            "section": STRING,
            "chapter": _nullable(STRING),
            "topic": _nullable(STRING),
            "type": {"enum": QUESTION_TYPES},
            "text": _ref("Texts"),
            "required": BOOLEAN,
            "options": {"type": "array", "items": _ref("CodePoint")},
            "other": BOOLEAN,
            "not_applicable": BOOLEAN,
            "rows": {"type": "array", "items": _ref("CodePoint")},
            "scale": {"type": "array", "items": _ref("CodePoint")},
            "min": _nullable(NUMBER),
            "max": _nullable(NUMBER),
            "min_label": _nullable(_ref("Texts")),
            "max_label": _nullable(_ref("Texts")),
        }
    ),
    "Codebook": _object(
        {
            "round_id": INTEGER,
            "survey_id": STRING,
            "revision": STRING,
            "languages": {"type": "array", "items": STRING},
            "title": _ref("Texts"),
            "questions": {"type": "array", "items": _ref("CodebookQuestion")},
            "chapters": {
                "type": "array",
                "items": _object(
                    {
                        "id": STRING,
                        "title": _ref("Texts"),
                        "topics": {
                            "type": "array",
                            "items": _object({"id": STRING, "title": _ref("Texts")}),
                        },
                    }
                ),
            },
            "other_value": STRING,
        }
    ),
}


def _json(schema: str, description: str) -> JSON:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*statuses: int) -> JSON:
    texts = {
        401: "No token, or one that is unknown or revoked (`WWW-Authenticate: Bearer`).",
        403: "The token's role may not read this.",
        404: "There is no such round.",
        429: "Too many calls with this token, or failed ones from this address (`Retry-After`).",
    }
    return {str(s): _json("Error", texts[s]) for s in statuses}


ROUND_ID = {
    "name": "round_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of the labels; one of the survey's (else its first).",
    "schema": STRING,
}


def _get(summary: str, schema: str, description: str, *, round_path: bool = True) -> JSON:
    operation: JSON = {
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": [ROUND_ID, LANG] if round_path else [],
        "responses": {
            "200": _json(schema, description),
            **_errors(401, 403, *([404] if round_path else []), 429),
        },
    }
    return {"get": operation}


RESULTS = _get(
    "Aggregated figures per question and chapter",
    "Results",
    "The dashboard's figures under its anonymity rules; never a free-text answer.",
)
RESULTS["get"]["parameters"] = [
    ROUND_ID,
    LANG,
    {
        "name": "language",
        "in": "query",
        "required": False,
        "description": "Only responses in this language (refused if it selects too few).",
        "schema": STRING,
    },
    {
        "name": "q",
        "in": "query",
        "required": False,
        "description": "Only responses with this answer, `question_id:value` (single/multi).",
        "schema": STRING,
    },
]

DOCUMENT: JSON = {
    "openapi": "3.1.0",
    "info": {
        "title": "surveyapp read API",
        "version": "1",
        "description": (
            "Read-only figures of survey rounds for tools outside the workspace. "
            "Make a token with `surveyapp token add --role editor --name NAME` and send it as "
            "`Authorization: Bearer <token>`. No answer of a single person is ever returned."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/rounds": _get("Every round", "RoundList", "Rounds with their counts.", round_path=False),
        "/rounds/{round_id}/results": RESULTS,
        "/rounds/{round_id}/you-said-we-did": _get(
            "What was done with the previous revision's feedback",
            "YouSaidWeDid",
            "The newest published version of the previous revision's report (published: true), "
            "else the editors' current report; never the comments themselves.",
        ),
        "/rounds/{round_id}/codebook": _get(
            "Questions, types, answer codes and labels",
            "Codebook",
            "The round's frozen survey definition, with the manual's chapters and topics.",
        ),
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI 3.1 document."}},
            }
        },
    },
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}


def document() -> JSON:
    """A copy of the document, safe to change."""
    return copy.deepcopy(DOCUMENT)
