"""The triage page as a work queue: a table paged by 50, filters and sorting as GET
parameters, and a bulk change of the selected rows, all without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import analysis_dataset
import pytest
from flask import Flask
from flask.testing import FlaskClient
from queue_world import add_comments
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from builders import SETUP, fresh, workspace_token
from surveyapp.models import AuditEvent, FeedbackItem
from surveyapp.services import feedback

Maker = Callable[..., Any]


def url(round_id: int, query: str = "") -> str:
    return f"/workspace/rounds/{round_id}/feedback{query}"


def page(client: FlaskClient, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def selectable(html: str) -> list[int]:
    """The item ids of the page's checkboxes, in the table's order."""
    return [int(i) for i in re.findall(r'name="item" value="(\d+)"', html)]


def post(client: FlaskClient, round_id: int, ids: list[int], **fields: str) -> Any:
    token = workspace_token(client, url(round_id))
    data = {"status": "accepted", "note": "", "addressed_in_revision": "", **fields}
    form = {**data, "item": [str(i) for i in ids], "csrf_token": token}
    return client.post(url(round_id), data=form)


def test_the_table_shows_fifty_rows_and_the_next_page_the_next_fifty(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    ids = add_comments(session, data.current, 1000)
    first = page(editor, url(data.current.id))
    assert "1002 feedback items" in first and "Page 1 of 21" in first
    assert len(selectable(first)) == 50 and selectable(first)[2:] == ids[:48]
    assert f'href="{url(data.current.id, "?page=2")}"' in first
    second = page(editor, url(data.current.id, "?page=2"))
    assert selectable(second) == ids[48:98]
    label = re.search(r'<label for="pick-(\d+)" class="visually-hidden">([^<]*)</label>', second)
    assert label is not None and label.group(2) == "Select the comment: Comment 0048"


def test_filters_and_search_narrow_the_counts(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    ids = add_comments(session, data.current, 60)
    assert post(editor, data.current.id, ids[:5], status="rejected").status_code == 303
    rejected = page(editor, url(data.current.id, "?status=rejected"))
    assert "5 feedback items" in rejected and selectable(rejected) == ids[:5]
    assert '<option value="rejected" selected>' in rejected
    found = page(editor, url(data.current.id, "?q=comment+001&chapter=why"))
    assert "10 feedback items" in found and "Introduction and preface 10" in found
    assert "No feedback items match." in page(editor, url(data.current.id, "?chapter=how"))
    in_group = page(editor, url(data.current.id, "?group=g2&language=en"))
    assert "1 feedback item" in in_group and "=1+1" in in_group
    by_status = selectable(page(editor, url(data.current.id, "?sort=status&page=2")))
    assert by_status[-5:] == ids[:5], "new first, rejected after"
    by_date = selectable(page(editor, url(data.current.id, "?sort=date")))
    assert set(by_date[:5]) == set(ids[:5]), "the latest change first"


def test_a_bulk_post_changes_exactly_the_selected_rows_and_audits_them(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    ids = add_comments(session, data.current, 120)
    chosen = selectable(page(editor, url(data.current.id, "?page=2")))
    response = post(editor, data.current.id, chosen, addressed_in_revision="0.11")
    assert response.status_code == 303
    assert response.headers["Location"] == url(data.current.id)
    accepted = fresh(session).scalars(
        select(FeedbackItem.id).where(FeedbackItem.status == "accepted")
    )
    assert sorted(accepted) == sorted(chosen) == ids[48:98]
    [audited] = session.scalars(select(AuditEvent).where(AuditEvent.action == "feedback_status"))
    assert audited.actor_id == editor.user.id  # type: ignore[attr-defined]
    assert audited.detail.startswith("50 items → accepted: ")
    assert "Feedback items saved: 50." in page(editor, url(data.current.id))


def test_ids_of_another_round_are_refused(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    ids = add_comments(session, data.current, 3)
    assert post(editor, data.previous.id, ids).status_code == 400
    changed = fresh(session).scalar(
        select(func.count()).where(FeedbackItem.status != "new").select_from(FeedbackItem)
    )
    assert changed == 0


def test_nothing_selected_saves_nothing(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    assert post(editor, data.current.id, []).status_code == 303
    assert "Select at least one comment." in page(editor, url(data.current.id))


def test_an_anonymous_rounds_table_has_no_group_country_or_language(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    data = analysis_dataset.build(session, tmp_path, anonymous=True)
    feedback.bring_in_comments(session, data.current, actor=SETUP)
    session.commit()
    html = page(editor, url(data.current.id, "?group=g1&language=en"))
    assert "2 feedback items" in html, "the named filters are ignored"
    for name in ("Group", "Country", "Language"):
        assert f'<th scope="col">{name}</th>' not in html
    assert 'name="group"' not in html and 'name="language"' not in html


@pytest.fixture
def writes(app: Flask) -> Iterator[list[str]]:
    """The writing statements the app's engine runs while the test looks."""
    found: list[str] = []

    def look(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            found.append(statement)

    engine = app.extensions["engine"]
    event.listen(engine, "before_cursor_execute", look)
    yield found
    event.remove(engine, "before_cursor_execute", look)


def test_the_triage_get_writes_nothing(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset, writes: list[str]
) -> None:
    ids = add_comments(session, data.current, 60)
    items = fresh(session).scalar(select(func.count()).select_from(FeedbackItem))
    writes.clear()
    for query in ("", "?page=2", "?status=new&q=comment&sort=date"):
        page(editor, url(data.current.id, query))
    assert writes == []
    assert fresh(session).scalar(select(func.count()).select_from(FeedbackItem)) == items
    assert post(editor, data.current.id, ids[:1]).status_code == 303  # ids differ by database
    assert writes, "the probe sees the writes of a POST"
