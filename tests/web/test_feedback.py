"""Editors' feedback triage and the "you said, we did" report, on tests/analysis_dataset.py.

Round 0.10's free-text answers (why_comment, chapter why): "Too long" (g1) and "=1+1" (g2);
round 0.11 of the same survey has none, so its report is round 0.10's feedback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import analysis_dataset
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from builders import SETUP, assert_by_account, fresh, workspace_token
from surveyapp.models import AuditEvent, FeedbackItem, Response, Round, User
from surveyapp.services import feedback

Maker = Callable[..., Any]
XSS_ANSWER = '<script>alert("answer")</script>'
XSS_NOTE = "<img src=x onerror=alert(1)>"


def triage_url(round_id: int, query: str = "") -> str:
    return f"/workspace/rounds/{round_id}/feedback{query}"


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def feedback_items(session: Session) -> list[FeedbackItem]:
    return list(fresh(session).scalars(select(FeedbackItem).order_by(FeedbackItem.response_id)))


def next_round(session: Session) -> Round:
    query = select(Round).where(Round.survey_id == "analysis-test", Round.revision == "0.11")
    return session.scalars(query).one()


def save(client: FlaskClient, item: FeedbackItem, query: str = "", **fields: str) -> Any:
    """The triage's bulk form with this one row selected."""
    token = workspace_token(client, triage_url(item.round_id))
    data = {"status": "new", "note": "", "addressed_in_revision": "", **fields}
    form = {**data, "item": str(item.id), "csrf_token": token}
    return client.post(triage_url(item.round_id, query), data=form)


# --- the triage page ---------------------------------------------------------------------------


def test_the_triage_page_shows_every_submitted_free_text_answer(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, triage_url(data.current.id))
    assert "Too long" in html and "=1+1" in html
    assert "not submitted" not in html  # the draft's answer
    assert "What should change?" in html and "g2" in html
    assert len(feedback_items(session)) == 2


def test_the_triage_page_writes_nothing(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    session.execute(delete(FeedbackItem))  # as if submitted before submitting added items
    session.commit()
    events = len(fresh(session).scalars(select(AuditEvent)).all())
    assert "Too long" not in page(editor, triage_url(data.current.id))
    assert (
        feedback_items(session) == [] and len(session.scalars(select(AuditEvent)).all()) == events
    )


def test_bringing_in_older_comments(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    session.execute(delete(FeedbackItem))
    session.execute(update(Response).values(comments_pending=True))  # as migration 0008 left them
    session.commit()
    url = f"/workspace/rounds/{data.current.id}/feedback/bring-in"
    token = workspace_token(editor, triage_url(data.current.id))
    assert editor.post(url, data={"csrf_token": token}).status_code == 303
    assert len(feedback_items(session)) == 2
    html = page(editor, triage_url(data.current.id))
    assert "Comments brought in: 2." in html and "not in this list yet" not in html


def test_the_round_page_links_to_the_triage(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, f"/workspace/rounds/{data.current.id}")
    assert f'href="{triage_url(data.current.id)}"' in html


def test_filters_by_status_and_chapter(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    page(editor, triage_url(data.current.id))
    item = feedback_items(session)[1]
    assert save(editor, item, status="rejected").status_code == 303
    rejected = page(editor, triage_url(data.current.id, "?status=rejected"))
    assert "=1+1" in rejected and "Too long" not in rejected
    assert '<option value="rejected" selected>' in rejected
    new = page(editor, triage_url(data.current.id, "?status=new&chapter=why"))
    assert "Too long" in new and "=1+1" not in new
    other_chapter = page(editor, triage_url(data.current.id, "?chapter=how"))
    assert "Too long" not in other_chapter and "No feedback items match." in other_chapter


def test_saving_an_item_persists_with_the_user_and_keeps_the_filters(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    page(editor, triage_url(data.current.id))
    item = feedback_items(session)[0]
    response = save(
        editor,
        item,
        "?status=new&chapter=why",
        status="accepted",
        note="Shorten chapter 1",
        addressed_in_revision="0.11",
    )
    assert response.status_code == 303
    assert response.headers["Location"] == triage_url(data.current.id, "?status=new&chapter=why")
    [saved, _other] = feedback_items(session)
    user: User = editor.user  # type: ignore[attr-defined]
    assert (saved.status, saved.note, saved.addressed_in_revision) == (
        "accepted",
        "Shorten chapter 1",
        "0.11",
    )
    assert saved.updated_by_id == user.id
    [event] = fresh(session).scalars(
        select(AuditEvent).where(AuditEvent.action == "feedback_status")
    )
    assert event.actor_id == user.id and event.detail == f"1 items → accepted: {item.id}"
    assert "Shorten chapter 1" in page(editor, triage_url(data.current.id))


def test_an_invalid_item_form_changes_nothing(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    page(editor, triage_url(data.current.id))
    item = feedback_items(session)[0]
    response = save(editor, item, status="accepted", addressed_in_revision="x" * 51)
    assert response.status_code == 303
    assert feedback_items(session)[0].status == "new"
    assert "Nothing was saved: At most 50 characters" in page(editor, triage_url(data.current.id))
    assert save(editor, item, status="ignored").status_code == 303
    assert feedback_items(session)[0].status == "new"


def test_answers_and_notes_are_shown_escaped(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    analysis_dataset.respond(session, data.current, {"why_comment": XSS_ANSWER})
    session.commit()
    page(editor, triage_url(data.current.id))
    item = feedback_items(session)[-1]
    assert save(editor, item, status="done", note=XSS_NOTE).status_code == 303
    for url in (
        triage_url(data.current.id),
        f"/workspace/rounds/{next_round(session).id}/you-said-we-did",
    ):
        html = page(editor, url)
        assert XSS_ANSWER not in html and XSS_NOTE not in html
        assert "&lt;script&gt;alert(&#34;answer&#34;)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_anonymous_rounds_show_no_participant(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    data = analysis_dataset.build(session, tmp_path, anonymous=True)
    feedback.bring_in_comments(session, data.current, actor=SETUP)
    session.commit()
    html = page(editor, triage_url(data.current.id))
    assert "Too long" in html
    # CSRF tokens are random base64 and may contain "g1" by chance; leave them out.
    visible = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    assert not re.search(r"\bg[12]\b", visible) and "<dt>Group</dt>" not in visible
    assert "Secret" not in html


# --- you said, we did ----------------------------------------------------------------------------


def test_you_said_we_did_lists_the_previous_rounds_items_by_chapter(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    page(editor, triage_url(data.current.id))
    item = feedback_items(session)[0]
    save(editor, item, status="done", note="Chapter 1 is shorter", addressed_in_revision="0.11")
    html = page(editor, f"/workspace/rounds/{next_round(session).id}/you-said-we-did")
    assert f"round {data.current.id} (revision 0.10)" in html
    assert "<h2>Introduction and preface</h2>" in html
    assert "Too long" in html and "Chapter 1 is shorter" in html and "=1+1" in html
    assert re.search(r"<td[^>]*>done</td>", html) and re.search(r"<td[^>]*>new</td>", html)


def test_you_said_we_did_without_an_earlier_round(
    editor: FlaskClient, data: analysis_dataset.Dataset
) -> None:
    html = page(editor, f"/workspace/rounds/{data.previous.id}/you-said-we-did")
    assert "There is no round of an earlier revision" in html


def test_the_csv_download_is_recorded_in_the_audit_log(
    editor: FlaskClient,
    session: Session,
    data: analysis_dataset.Dataset,
    audit_events: Callable[..., Any],
) -> None:
    """It hands out free texts, and in named rounds their language and group."""
    later = next_round(session)
    assert editor.get(f"/workspace/rounds/{later.id}/you-said-we-did.csv").status_code == 200
    (event,) = audit_events("feedback_downloaded")
    assert event.target == f"round {later.id}" and "feedback items" in event.detail
    assert_by_account(session, event, "editor")


def test_the_csv_download_is_formula_safe(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    response = editor.get(f"/workspace/rounds/{next_round(session).id}/you-said-we-did.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == (
        "chapter,chapter_title,section,question,answer,language,group,status,note,"
        "addressed_in_revision"
    )
    assert "why,Introduction and preface,Why,What should change?,'=1+1,en,g2,new,," in lines
    assert "why,Introduction and preface,Why,What should change?,Too long,en,g1,new,," in lines


# --- access ----------------------------------------------------------------------------------


def test_visitors_who_are_not_logged_in_go_to_login(
    client: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    for url in (
        triage_url(data.current.id),
        f"/workspace/rounds/{data.current.id}/you-said-we-did",
        f"/workspace/rounds/{data.current.id}/you-said-we-did.csv",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert len(feedback_items(session)) == 2, "nothing was added for them"


def test_saving_without_the_form_token_is_refused(
    editor: FlaskClient, session: Session, data: analysis_dataset.Dataset
) -> None:
    page(editor, triage_url(data.current.id))
    item = feedback_items(session)[0]
    form = {"status": "rejected", "item": str(item.id)}
    response = editor.post(triage_url(data.current.id), data=form)
    assert response.status_code == 400
    assert feedback_items(session)[0].status == "new"


def test_an_unknown_item_is_not_found(editor: FlaskClient, data: analysis_dataset.Dataset) -> None:
    token = workspace_token(editor)
    form = {"csrf_token": token, "status": "done", "item": "999999"}
    assert editor.post(triage_url(data.current.id), data=form).status_code == 400
    assert editor.post(triage_url(999999), data=form).status_code == 404
