"""What the read API answers: the dashboard's figures under its anonymity rules, the feedback
report without the comments, the codebook, and never one person's answer."""

from __future__ import annotations

import json
from typing import Any

import api_world
import pytest
from api_world import ApiClient, World
from sqlalchemy import select
from sqlalchemy.orm import Session

from surveyapp.models import Answer


def question(body: dict[str, Any], question_id: str, row: str | None = None) -> dict[str, Any]:
    found = [q for q in body["questions"] if q["question_id"] == question_id and q["row"] == row]
    assert len(found) == 1, question_id
    return found[0]


def counts(entry: dict[str, Any]) -> dict[Any, Any]:
    return {c["value"]: c["count"] for c in entry["counts"]}


def test_rounds_list_counts_and_titles(api: ApiClient, world: World) -> None:
    body = api.get("/api/v1/rounds").get_json()
    by_id = {r["id"]: r for r in body["rounds"]}
    current, previous = by_id[world.current.id], by_id[world.previous.id]
    assert current["submitted"] == api_world.ANONYMOUS_COUNT and current["anonymous"] is True
    assert previous["submitted"] == 3 and previous["invited"] == 3
    assert current["title"] == {"en": "Test survey", "fi": "Testikysely", "sv": "Testenkät"}
    assert (current["revision"], current["status"], current["state"]) == ("0.3", "open", "open")
    assert current["opened_at"].endswith("+00:00") and current["closed_at"] is None


def test_results_of_a_whole_round_are_the_dashboards_counts(api: ApiClient, world: World) -> None:
    body = api.get(f"/api/v1/rounds/{world.current.id}/results").get_json()
    assert body["submitted"] == 12 and body["filters_refused"] is False
    role = question(body, "role")
    assert counts(role) == {"officer": 7, "manager": 5, "other": 0} and role["n"] == 12
    clarity = question(body, "why_clarity")
    assert clarity["chapter"] == "why" and clarity["mean"] == pytest.approx((7 * 2 + 5 * 4) / 12)
    # Totals of the whole round are shown as they are, as on the dashboard.
    assert question(body, "why_tools", "canvas")["n"] == 2
    assert question(body, "why_missing")["counts"] == [], "a free text is counted, never shown"
    assert [c["chapter"] for c in body["chapters"]] == ["why"]


def test_a_count_below_the_threshold_is_suppressed_in_a_filtered_view(
    api: ApiClient, world: World
) -> None:
    body = api.get(f"/api/v1/rounds/{world.current.id}/results?q=role:manager").get_json()
    assert body["filters"] == {"language": None, "answer": "role:manager"}
    assert body["filters_refused"] is False and body["submitted"] == 5
    canvas = question(body, "why_tools", "canvas")  # two managers rated it
    assert canvas["n"] == {"fewer_than": 5} and canvas["no_answer"] == {"fewer_than": 5}
    assert counts(canvas)[3] == {"fewer_than": 5} and canvas["mean"] is None
    assert all(c["share"] is None for c in canvas["counts"] if not isinstance(c["count"], int))
    assert question(body, "why_clarity")["n"] == 5


@pytest.mark.parametrize("query", ["?language=sv", "?language=en", "?q=role:manager&language=en"])
def test_filters_that_would_single_out_a_few_responses_are_refused(
    api: ApiClient, world: World, query: str
) -> None:
    """Two Swedish responses; ten English ones leave those two out; two filters at once."""
    body = api.get(f"/api/v1/rounds/{world.current.id}/results{query}").get_json()
    assert body["filters_refused"] is True and body["submitted"] == 12
    assert body["filters"] == {"language": None, "answer": None}


def test_a_named_round_is_held_to_the_same_rule(api: ApiClient, world: World) -> None:
    body = api.get(f"/api/v1/rounds/{world.previous.id}/results?language=en").get_json()
    assert body["anonymous"] is False and body["filters_refused"] is True
    assert "group" not in json.dumps(body["filters"]), "no filter by group or country"


def test_labels_in_another_language(api: ApiClient, world: World) -> None:
    body = api.get(f"/api/v1/rounds/{world.current.id}/results?lang=fi").get_json()
    assert body["lang"] == "fi" and question(body, "role")["text"] == "Roolisi"
    unknown = api.get(f"/api/v1/rounds/{world.current.id}/results?lang=xx").get_json()
    assert unknown["lang"] == "en"


def test_you_said_we_did_gives_what_was_done_without_the_comments(
    api: ApiClient, world: World
) -> None:
    body = api.get(f"/api/v1/rounds/{world.current.id}/you-said-we-did").get_json()
    assert body["published"] is False
    assert body["previous_round"] == {
        "id": world.previous.id,
        "revision": "0.2",
        "anonymous": False,
    }
    assert sorted((i["status"], i["note"]) for i in body["items"]) == sorted(
        zip(api_world.STATUSES, api_world.NOTES, strict=True)
    )
    assert {i["addressed_in_revision"] for i in body["items"]} == {"0.3", None}
    assert all(set(i) & {"answer", "language", "group", "id"} == set() for i in body["items"])
    assert body["counts"]["total"] == 3
    assert {k: v for k, v in body["counts"]["by_status"].items() if v} == {
        "done": 1,
        "rejected": 1,
        "new": 1,
    }
    assert [c["chapter"] for c in body["counts"]["by_chapter"]] == ["why"]
    first = api.get(f"/api/v1/rounds/{world.previous.id}/you-said-we-did").get_json()
    assert first["previous_round"] is None and first["items"] == []


def test_the_codebook_has_codes_and_labels_per_language(api: ApiClient, world: World) -> None:
    body = api.get(f"/api/v1/rounds/{world.current.id}/codebook").get_json()
    assert body["languages"] == ["en", "fi", "sv"]
    by_id = {q["id"]: q for q in body["questions"]}
    assert "intro" not in by_id, "an info text has no answer to code"
    role = by_id["role"]
    assert role["type"] == "single" and role["other"] is True
    assert {o["value"] for o in role["options"]} >= {"officer", "manager"}
    assert set(role["options"][0]["label"]) == {"en", "fi", "sv"}
    tools = by_id["why_tools"]
    assert tools["chapter"] == "why" and tools["rows"] and tools["scale"]
    assert body["chapters"][0]["id"] == "why" and set(body["chapters"][0]["title"]) >= {"en"}


def every_response(api: ApiClient, world: World) -> list[str]:
    """The text of every API answer about the seeded rounds, in every variant."""
    paths = ["/api/v1/rounds", "/api/v1/openapi.json"]
    for round_ in (world.previous, world.current):
        base = f"/api/v1/rounds/{round_.id}"
        for lang in ("en", "fi", "sv"):
            paths += [f"{base}/{part}?lang={lang}" for part in ("results", "you-said-we-did")]
            paths.append(f"{base}/codebook?lang={lang}")
        for query in ("q=role:officer", "q=role:manager", "language=en", "language=sv"):
            paths.append(f"{base}/results?{query}")
    found = []
    for path in paths:
        response = api.get(path)
        assert response.status_code == 200, path
        found.append(response.get_data(as_text=True))
    return found


def test_no_answer_name_or_email_of_a_person_is_in_any_api_response(
    api: ApiClient, world: World, session: Session
) -> None:
    stored = session.scalars(select(Answer.value).where(Answer.question_id == "why_missing"))
    assert sorted(stored) == sorted(api_world.SECRET_TEXTS), "the texts looked for are there"
    bodies = every_response(api, world)
    secrets = [*api_world.SECRET_TEXTS]
    for name, email in api_world.PEOPLE:
        secrets += [name, email, *name.split(), email.split("@")[0]]
    for body in bodies:
        text = json.loads(body)  # decoded, so that escaped characters are compared too
        flat = json.dumps(text, ensure_ascii=False).casefold()
        leaked = [s for s in secrets if s.casefold() in flat]
        assert not leaked, leaked
        assert "buyers" not in flat, "nor the group of a named round's participants"
