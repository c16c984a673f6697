"""The respondent's journey through the test client: pages, saving, review, submit, edit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from builders import SETUP, TEST_SURVEYS, csrf_token, post_page
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Answer, Invitation, Response, Round
from surveyapp.services import rounds


@pytest.fixture
def invitation(
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> Invitation:
    """Here the participant prefers Finnish (the shared fixture's has no language)."""
    person = make_participant(language="fi")
    return make_invitation(make_round(), person)


def page_url(invitation: Invitation, section: str) -> str:
    return f"/s/{invitation.token}/p/{section}"


def answers_of(session: Session, invitation: Invitation) -> dict[str, Any]:
    session.rollback()  # end the read snapshot
    session.expire_all()  # and forget loaded state
    response = session.scalar(select(Response).where(Response.invitation_id == invitation.id))
    if response is None:
        return {}
    rows = session.execute(
        select(Answer.question_id, Answer.value).where(Answer.response_id == response.id)
    )
    return dict(rows.all())


def test_start_page_greets_in_the_participants_language(
    client: FlaskClient, invitation: Invitation
) -> None:
    html = client.get(f"/s/{invitation.token}").get_data(as_text=True)
    assert '<html lang="fi">' in html
    assert "Testikysely" in html


def test_accept_language_is_used_when_the_participant_has_no_language(
    client: FlaskClient,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    inv = make_invitation(make_round(), make_participant(language=None))
    html = client.get(f"/s/{inv.token}", headers={"Accept-Language": "sv-SE,sv;q=0.9"}).text
    assert '<html lang="sv">' in html and "Testenkät" in html


@pytest.mark.parametrize(
    ("header", "lang"),
    [("fi-FI,en-US;q=0.8,en;q=0.6", "fi"), ("sv-FI, en;q=0.5", "sv"), ("is-IS,sv;q=0.8", "sv")],
)
def test_the_browsers_first_language_wins_over_a_later_exact_one(
    client: FlaskClient,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
    header: str,
    lang: str,
) -> None:
    inv = make_invitation(make_round(), make_participant(language=None))
    html = client.get(f"/s/{inv.token}", headers={"Accept-Language": header}).text
    assert f'<html lang="{lang}">' in html
    unknown = client.get("/s/" + "x" * 32, headers={"Accept-Language": header}).text
    assert f'<html lang="{lang}">' in unknown


def test_explicit_choice_beats_the_participants_language(
    client: FlaskClient, invitation: Invitation
) -> None:
    html = client.get(f"/s/{invitation.token}?lang=sv").get_data(as_text=True)
    assert '<html lang="sv">' in html
    html = client.get(page_url(invitation, "about")).get_data(as_text=True)
    assert '<html lang="sv">' in html, "the choice is remembered"


def test_next_saves_the_page_and_goes_on(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    response = post_page(
        client, page_url(invitation, "about"), {"role": "manager", "years": "12", "action": "next"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(page_url(invitation, "why"))
    assert answers_of(session, invitation) == {"role": "manager", "years": 12}


def test_validation_error_keeps_every_typed_answer_and_saves_the_valid_ones(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    response = post_page(
        client,
        page_url(invitation, "about"),
        {"years": "twelve", "role.other": "", "action": "next"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tarkista seuraavat kohdat" in html, "the error summary, in Finnish"
    assert 'value="twelve"' in html
    assert html.count('class="error-message"') == 2  # role required, years not a number
    post_page(client, page_url(invitation, "about"), {"role": "officer", "years": "70"})
    assert answers_of(session, invitation) == {"role": "officer"}, "valid answers are kept"


def test_other_needs_its_text_and_stores_it(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    url = page_url(invitation, "about")
    assert post_page(client, url, {"role": "other", "role.other": ""}).status_code == 422
    post_page(client, url, {"role": "other", "role.other": "Legal adviser"})
    assert answers_of(session, invitation) == {"role": "other", "role.other": "Legal adviser"}


def test_conditional_question_is_kept_only_while_shown(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "manager"})
    url = page_url(invitation, "why")
    post_page(
        client,
        url,
        {
            "why_clarity": "1",
            "why_missing": "Examples",
            "_shown": "why_clarity why_missing why_tools",
        },
    )
    assert answers_of(session, invitation)["why_missing"] == "Examples"
    post_page(client, url, {"why_clarity": "5", "why_missing": "Examples"})
    assert "why_missing" not in answers_of(session, invitation), "hidden answers are not kept"


def test_question_revealed_on_the_same_page_is_shown_again_without_javascript(
    client: FlaskClient, invitation: Invitation
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "manager"})
    response = post_page(
        client, page_url(invitation, "why"), {"why_clarity": "2", "_shown": "why_clarity why_tools"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-question="why_missing"' in html
    assert (
        'data-question="why_missing" data-show-if' in html
        and "hidden>" not in html.split('data-question="why_missing"')[1].split(">")[0]
    )


def test_not_applicable_is_stored_as_no_value_and_satisfies_required(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "manager"})
    response = post_page(client, page_url(invitation, "why"), {"why_clarity": "na"})
    assert response.status_code == 302
    assert answers_of(session, invitation) == {"role": "manager", "why_clarity": None}


def test_matrix_rows_and_multi_limits(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "manager"})
    post_page(
        client,
        page_url(invitation, "why"),
        {"why_clarity": "4", "why_tools.canvas": "5", "why_tools.matrix": "2"},
    )
    assert answers_of(session, invitation)["why_tools"] == {"canvas": 5, "matrix": 2}
    too_many = post_page(
        client,
        page_url(invitation, "overall"),
        {"chapters_read": ["why", "how", "who"], "overall_usefulness": "8"},
    )
    assert too_many.status_code == 422
    assert "Valitse enintään 2 vaihtoehtoa." in too_many.get_data(as_text=True)


def answer_everything(client: FlaskClient, invitation: Invitation) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "officer", "years": "3"})
    post_page(client, page_url(invitation, "why"), {"why_clarity": "4"})
    post_page(
        client,
        page_url(invitation, "overall"),
        {"chapters_read": ["why"], "overall_usefulness": "9"},
    )


def test_review_lists_answers_and_submit_counts_once(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    answer_everything(client, invitation)
    review = client.get(f"/s/{invitation.token}/review").get_data(as_text=True)
    assert "Hankinta-asiantuntija" in review and "9" in review
    token = csrf_token(client, f"/s/{invitation.token}/review")
    first = client.post(f"/s/{invitation.token}/review", data={"csrf_token": token})
    again = client.post(f"/s/{invitation.token}/review", data={"csrf_token": token})
    assert first.status_code == again.status_code == 302
    session.rollback()  # end the read snapshot
    session.expire_all()  # and forget loaded state
    responses = session.scalars(
        select(Response).where(Response.round_id == invitation.round_id)
    ).all()
    assert len(responses) == 1
    assert responses[0].status == "submitted" and responses[0].submission_count == 2


def test_submit_is_refused_while_a_required_answer_is_missing(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "officer"})
    response = post_page(client, f"/s/{invitation.token}/review", {})
    assert response.status_code == 422
    assert f"/s/{invitation.token}/p/why" in response.get_data(as_text=True)
    session.rollback()  # end the read snapshot
    session.expire_all()  # and forget loaded state
    assert session.scalar(select(Response.status)) == "draft"


def test_edit_after_submit_changes_the_counted_answer(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    answer_everything(client, invitation)
    post_page(client, f"/s/{invitation.token}/review", {})
    post_page(
        client,
        page_url(invitation, "overall"),
        {"chapters_read": ["how"], "overall_usefulness": "3", "return": "review"},
    )
    assert answers_of(session, invitation)["overall_usefulness"] == 3
    invalid = post_page(
        client,
        page_url(invitation, "overall"),
        {"chapters_read": ["how"], "overall_usefulness": ""},
    )
    assert invalid.status_code == 422
    assert answers_of(session, invitation)["overall_usefulness"] == 3, (
        "a submitted response only changes by a complete page"
    )


def test_resume_continues_where_the_respondent_stopped(
    client: FlaskClient, invitation: Invitation, app: Any
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "officer"})
    fresh_browser = app.test_client()  # no cookies: a closed browser or another device
    html = fresh_browser.get(f"/s/{invitation.token}").get_data(as_text=True)
    assert f'href="{page_url(invitation, "why")}"' in html, "continues on the page reached"
    page = fresh_browser.get(page_url(invitation, "about")).get_data(as_text=True)
    assert 'value="officer" checked' in page, "earlier answers are kept"


def test_csrf_failure_re_renders_the_page_with_the_typed_answers(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    response = client.post(
        page_url(invitation, "about"), data={"role": "manager", "years": "7", "csrf_token": "stale"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="manager" checked' in html and 'value="7"' in html
    assert answers_of(session, invitation) == {}


def test_expired_form_token_at_submit_shows_the_review_again_in_the_respondents_language(
    client: FlaskClient, session: Session, invitation: Invitation
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "manager"})
    response = client.post(
        f"/s/{invitation.token}/review",
        data={"csrf_token": "stale"},
        headers={"Accept-Language": "en"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<html lang="fi">' in html, "the participant's language, not the browser's"
    assert 'class="notice" role="alert"' in html
    assert f'action="/s/{invitation.token}/review"' in html, "the submit button is there again"
    session.rollback()
    session.expire_all()
    statuses = session.scalars(select(Response.status)).all()
    assert statuses == ["draft"], "nothing submitted, nothing lost"


@pytest.mark.parametrize(("state", "status"), [("closed", 410), ("future", 403)])
def test_closed_and_not_yet_open_links_get_their_page(
    client: FlaskClient, session: Session, invitation: Invitation, state: str, status: int
) -> None:
    import datetime as dt

    round_ = invitation.round
    if state == "closed":
        round_.status = "closed"
    else:
        round_.opens_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    session.commit()
    response = client.get(f"/s/{invitation.token}")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert '<html lang="fi">' in html
    assert "Testikysely" not in html, "an unavailable link reveals nothing of the survey"


def test_unknown_link_is_404_and_reveals_nothing(client: FlaskClient) -> None:
    response = client.get("/s/" + "x" * 32, headers={"Accept-Language": "fi"})
    assert response.status_code == 404
    assert '<html lang="fi">' in response.get_data(as_text=True)


def test_a_personal_link_works_only_for_its_own_round(
    client: FlaskClient,
    invitation: Invitation,
    make_round: Callable[..., Any],
) -> None:
    other = make_round(revision="0.4")
    response = client.get(f"/s/{invitation.token}/p/about")
    assert response.status_code == 200
    assert other.open_link_token is None
    assert client.get(f"/o/{invitation.token}").status_code == 404


def test_open_link_gives_each_visitor_a_fresh_response(
    app: Any, session: Session, make_round: Callable[..., Any]
) -> None:
    round_ = make_round(open_link=True)
    urls = []
    for _ in range(2):
        visitor = app.test_client()
        token = csrf_token(visitor, f"/o/{round_.open_link_token}")
        started = visitor.post(f"/o/{round_.open_link_token}", data={"csrf_token": token})
        assert started.status_code == 302
        urls.append(started.headers["Location"])
        post_page(visitor, started.headers["Location"], {"role": "manager"})
    assert urls[0] != urls[1]
    count = session.scalar(
        select(func.count()).select_from(Response).where(Response.round_id == round_.id)
    )
    assert count == 2


def _round_of_copy(
    session: Session, surveys: Path, edit: Callable[[str], str] = lambda source: source
) -> tuple[Round, str]:
    """A round opened from a copy of respond-test.yaml (edited first) in `surveys`."""
    surveys.mkdir()
    source = (TEST_SURVEYS / "respond-test.yaml").read_text(encoding="utf-8")
    (surveys / "respond-test.yaml").write_text(edit(source), encoding="utf-8")
    round_ = rounds.open_round(session, SurveyRegistry(surveys), "respond-test", "0.3", actor=SETUP)
    session.commit()
    return round_, source


def test_later_yaml_edits_never_change_a_running_round(
    app: Any,
    session: Session,
    tmp_path: Path,
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    surveys = tmp_path / "surveys"
    round_, source = _round_of_copy(session, surveys)
    edited = source.replace("Your role", "Your job title").replace(
        "required: true\n        other", "other"
    )
    (surveys / "respond-test.yaml").write_text(edited, encoding="utf-8")
    assert (
        SurveyRegistry(surveys).get("respond-test").question("role").text["en"] == "Your job title"
    )
    invitation = make_invitation(round_, make_participant(language="en"))
    html = app.test_client().get(f"/s/{invitation.token}/p/about").get_data(as_text=True)
    assert "Your role" in html and "Your job title" not in html
    assert rounds.round_survey(round_).question("role").required


def test_open_link_offers_to_continue_in_the_same_browser(
    client: FlaskClient, make_round: Callable[..., Any]
) -> None:
    round_ = make_round(open_link=True)
    url = f"/o/{round_.open_link_token}"
    started = client.post(url, data={"csrf_token": csrf_token(client, url)})
    response_token = started.headers["Location"].split("/")[2]
    html = client.get(url).get_data(as_text=True)
    assert f'href="/s/{response_token}"' in html


@pytest.mark.parametrize(
    "payload",
    ['"><script>alert(1)</script>', "'><img src=x onerror=alert(1)>", "</form><b>x</b>"],
)
def test_typed_text_never_breaks_out_of_the_page(
    client: FlaskClient, invitation: Invitation, payload: str
) -> None:
    import html as html_lib
    import json
    import re

    from markupsafe import escape

    post_page(client, page_url(invitation, "about"), {"role": "other", "role.other": payload})
    page = client.get(page_url(invitation, "why")).get_data(as_text=True)
    assert payload not in page
    attribute = re.search(r"data-answers='([^']*)'", page)
    assert attribute, "the stored answers travel in one single-quoted attribute"
    assert json.loads(html_lib.unescape(attribute.group(1)))["role.other"] == payload
    review = client.get(f"/s/{invitation.token}/review").get_data(as_text=True)
    assert payload not in review and str(escape(payload)) in review


def test_a_language_choice_follows_the_respondent_to_another_device(
    client: FlaskClient, invitation: Invitation, app: Any, session: Session
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "officer"})
    client.get(f"/s/{invitation.token}?lang=sv")
    assert _stored_language(session, invitation) == "fi", "a GET writes nothing"
    post_page(client, page_url(invitation, "about"), {"role": "officer"})  # kept in the session
    assert _stored_language(session, invitation) == "sv", "the next page sent stores it"
    other_device = app.test_client()
    html = other_device.get(f"/s/{invitation.token}").get_data(as_text=True)
    assert '<html lang="sv">' in html, "not the participant's fi: the choice was remembered"


def test_a_language_chosen_but_not_stored_survives_an_expired_session(
    client: FlaskClient, invitation: Invitation, app: Any, session: Session
) -> None:
    post_page(client, page_url(invitation, "about"), {"role": "officer"})  # stored in fi
    html = client.get(page_url(invitation, "about") + "?lang=sv").get_data(as_text=True)
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    assert form["_lang"] == "sv"
    restarted = app.test_client()  # the browser restarted: no session, so no form token
    expired = restarted.post(page_url(invitation, "about"), data={**form, "role": "officer"})
    assert expired.status_code == 400
    page = expired.get_data(as_text=True)
    assert '<html lang="sv">' in page, "the expired-form page is in the language chosen"
    again = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token and again["_lang"] == "sv"
    sent = {**again, "csrf_token": token.group(1), "role": "officer"}
    assert restarted.post(page_url(invitation, "about"), data=sent).status_code == 302
    assert _stored_language(session, invitation) == "sv", "sent again from that page: stored"


def _stored_language(session: Session, invitation: Invitation) -> str | None:
    session.rollback()
    return session.scalar(select(Response.language).where(Response.invitation_id == invitation.id))


def test_a_required_question_is_required_only_while_its_condition_shows_it(
    app: Any,
    session: Session,
    tmp_path: Path,
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    conditional = "      - id: why_missing\n        type: text\n"

    def required(source: str) -> str:
        assert conditional in source
        return source.replace(conditional, conditional + "        required: true\n")

    round_, _source = _round_of_copy(session, tmp_path / "surveys", required)
    invitation = make_invitation(round_, make_participant(language="en"))
    client = app.test_client()
    post_page(client, page_url(invitation, "about"), {"role": "manager"})
    why = page_url(invitation, "why")
    shown = "why_clarity why_missing why_tools"
    unanswered = post_page(client, why, {"why_clarity": "1", "_shown": shown})
    assert unanswered.status_code == 422, "shown, the follow-up question is required"
    assert 'id="q-why_missing-error"' in unanswered.get_data(as_text=True)
    assert post_page(client, why, {"why_clarity": "5", "_shown": shown}).status_code == 302
    overall = {"chapters_read": "why", "overall_usefulness": "7"}
    post_page(client, page_url(invitation, "overall"), overall)
    submitted = post_page(client, f"/s/{invitation.token}/review", {})
    assert submitted.status_code == 302, "hidden, it is not required at submit either"
    session.rollback()
    assert session.scalar(select(Response.status).where(Response.round_id == round_.id)) == (
        "submitted"
    )
