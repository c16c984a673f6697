"""The triage table beyond statuses: comments given to an editor in bulk, a suggested duplicate
marked with its one-button form, and the topic column. Item ids differ by database: they
are read from the page or the database, never written down."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from queue_world import PLANTED, TWIN, UNRELATED, dups_round
from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import fresh, workspace_token
from surveyapp.models import AuditEvent, FeedbackItem, Round, User

ANSWERS = [
    ("why_text", "en", PLANTED),
    ("why_text", "en", TWIN),
    ("why_text", "en", UNRELATED),
    ("how_text", "en", "Shorter steps."),
]


def url(round_id: int, rest: str = "") -> str:
    return f"/workspace/rounds/{round_id}/feedback{rest}"


def page(client: FlaskClient, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def bulk(client: FlaskClient, round_: Round, ids: list[int], **fields: str) -> Any:
    token = workspace_token(client, url(round_.id))
    data = {"status": "", "assignee": "", "note": "", "addressed_in_revision": "", **fields}
    return client.post(
        url(round_.id), data={**data, "item": [str(i) for i in ids], "csrf_token": token}
    )


def colleague(session: Session) -> User:
    user = User(email="colleague@partnership.example", password_hash="x", role="editor")
    session.add(user)
    session.commit()
    return user


def items(session: Session, round_: Round) -> dict[int, tuple[str, int | None, int | None]]:
    query = select(
        FeedbackItem.id, FeedbackItem.status, FeedbackItem.assignee_id, FeedbackItem.duplicate_of_id
    ).where(FeedbackItem.round_id == round_.id)
    return {
        i: (status, who, original) for i, status, who, original in fresh(session).execute(query)
    }


def test_comments_are_assigned_in_bulk_keeping_their_status_and_audited(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(session, tmp_path, ANSWERS)
    other = colleague(session)
    html = page(editor, url(round_.id))
    assert '<label for="bulk-assignee">Assigned to</label>' in html
    assert f'<option value="{other.id}">colleague@partnership.example</option>' in html
    chosen = [ids[PLANTED], ids[TWIN]]
    response = bulk(editor, round_, chosen, assignee=str(other.id))
    assert response.status_code == 303
    assert {i: v for i, v in items(session, round_).items() if v[1]} == {
        i: ("new", other.id, None) for i in chosen
    }
    [event] = fresh(session).scalars(
        select(AuditEvent).where(AuditEvent.action == "feedback_update")
    )
    assert event.actor_id == editor.user.id  # type: ignore[attr-defined]
    assert event.detail.startswith("2 items assigned to colleague@partnership.example: ")
    html = page(editor, url(round_.id))
    assert "Feedback items saved: 2." in html
    assert html.count('<td data-label="Assigned to">colleague@partnership.example</td>') == 2
    assert bulk(editor, round_, chosen[:1], assignee="nobody").status_code == 303
    assert items(session, round_)[chosen[0]][1] is None


def test_a_bulk_post_that_changes_nothing_or_names_no_account_saves_nothing(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(session, tmp_path, ANSWERS)
    before = items(session, round_)
    assert bulk(editor, round_, [ids[PLANTED]]).status_code == 303
    assert "Choose a status, an assignee, a note or a revision." in page(editor, url(round_.id))
    assert bulk(editor, round_, [ids[PLANTED]], assignee="someone").status_code == 303
    assert "Choose someone from the list." in page(editor, url(round_.id))
    assert bulk(editor, round_, [ids[PLANTED]], assignee="999999").status_code == 400
    assert items(session, round_) == before


def test_a_suggested_duplicate_is_marked_with_its_button_and_linked(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(session, tmp_path, ANSWERS)
    html = page(editor, url(round_.id, "?chapter=why"))
    pairs = re.findall(r'form="mark-duplicate" name="pair" value="(\d+)-(\d+)"', html)
    expected = {(ids[PLANTED], ids[TWIN]), (ids[TWIN], ids[PLANTED])}
    assert {(int(a), int(b)) for a, b in pairs} == expected, "only the near-duplicates"
    assert f"Mark #{ids[TWIN]} as a duplicate of #{ids[PLANTED]}" in html
    assert '<form method="post" action="' in html and 'id="mark-duplicate"' in html
    token = workspace_token(editor, url(round_.id))
    response = editor.post(
        url(round_.id, "/duplicate?chapter=why"),
        data={"pair": f"{ids[TWIN]}-{ids[PLANTED]}", "csrf_token": token},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == url(round_.id, "?chapter=why")
    assert items(session, round_)[ids[TWIN]] == ("duplicate", None, ids[PLANTED])
    [event] = fresh(session).scalars(
        select(AuditEvent).where(AuditEvent.action == "feedback_duplicate")
    )
    assert event.actor_id == editor.user.id  # type: ignore[attr-defined]
    assert event.detail == f"1 items duplicate of {ids[PLANTED]}: {ids[TWIN]}"
    html = page(editor, url(round_.id, "?chapter=why"))
    assert f"Comment #{ids[TWIN]} marked as a duplicate of #{ids[PLANTED]}." in html
    link = url(round_.id, f"/items/{ids[PLANTED]}")
    assert f'<a href="{link}" class="duplicate-of">duplicate of #{ids[PLANTED]}</a>' in html
    assert 'name="pair"' not in html, "a duplicate is no longer suggested, nor given suggestions"
    shown = editor.get(link)
    assert shown.status_code == 303
    assert shown.headers["Location"] == url(round_.id, f"#item-{ids[PLANTED]}")


def test_a_pair_of_another_round_or_a_bad_pair_is_refused(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(session, tmp_path, ANSWERS)
    other, other_ids = dups_round(session, tmp_path, [("why_text", "en", PLANTED)])
    before = items(session, round_)
    token = workspace_token(editor, url(round_.id))
    for pair, status in (
        (f"{ids[TWIN]}-{other_ids[PLANTED]}", 400),
        (f"{ids[TWIN]}-{ids[TWIN]}", 400),
        ("12;7", 303),
    ):
        response = editor.post(
            url(round_.id, "/duplicate"), data={"pair": pair, "csrf_token": token}
        )
        assert response.status_code == status, pair
    assert items(session, round_) == before
    assert editor.get(url(other.id, f"/items/{ids[TWIN]}")).status_code == 404


def test_the_table_shows_chapter_and_topic_and_loads_its_script(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    round_, _ids = dups_round(session, tmp_path, ANSWERS)
    html = page(editor, url(round_.id))
    assert '<td data-label="Chapter">Introduction and preface</td>' in html
    assert '<td data-label="Topic">The crises</td>' in html, "the manual's title of why/crises"
    assert '<td data-label="Topic">–</td>' in html, "how_text has no topic"
    assert '<script src="/static/js/triage.js" defer></script>' in html
    assert 'data-select-all="Select all comments on this page"' in html
    finnish = editor.get(url(round_.id), headers={"Accept-Language": "fi"})
    assert '<td data-label="Aihe">Kriisit</td>' in finnish.get_data(as_text=True)


def test_the_table_filters_by_whom_comments_are_assigned_to(
    editor: FlaskClient, session: Session, tmp_path: Path
) -> None:
    round_, ids = dups_round(session, tmp_path, ANSWERS)
    other, me = colleague(session), editor.user  # type: ignore[attr-defined]
    assert bulk(editor, round_, [ids[PLANTED]], assignee=str(me.id)).status_code == 303
    assert bulk(editor, round_, [ids[TWIN]], assignee=str(other.id)).status_code == 303

    def shown(assigned: str) -> set[str]:
        html = page(editor, url(round_.id, f"?assigned={assigned}"))
        return set(re.findall(r'<td data-label="Comment" class="answer">([^<]*)</td>', html))

    assert shown(str(me.id)) == {PLANTED}
    assert shown(str(other.id)) == {TWIN}
    assert shown("anyone") == {PLANTED, TWIN}
    assert shown("nobody") == {UNRELATED, "Shorter steps."}
    assert shown("everyone-else") == {PLANTED, TWIN, UNRELATED, "Shorter steps."}
    html = page(editor, url(round_.id, f"?assigned={me.id}"))
    assert f'<option value="{me.id}" selected>me</option>' in html
    assert "1 feedback item" in html
