"""What an off-the-shelf web scanner sends never gets a server error.

Every POST route of the URL map is sent, as the role that uses it (a respondent holding a
valid link, an anonymous visitor, a coordinator, an editor), the payload families scanners
send: non-ASCII text, 1 MB values, NUL and control characters, invalid UTF-8 bytes and the
classic injection strings; in every field of the route's forms (found on the app's own GET
pages), in the form token, and in the User-Agent, Referer, Accept-Language, Cookie and
X-Forwarded-For headers. Any status below 500 is an answer; a 5xx or an exception fails.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote_from_bytes, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from peer_review_world import ReviewWorld, build_review
from security_kit import answer, invite, route_url
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule

from builders import SETUP, TEST_SURVEYS, csrf_token, workspace_token
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import FeedbackItem, Invitation, Round, User
from surveyapp.services import feedback, mail, peer_reviews, rounds

LogIn = Callable[[FlaskClient, str], User]

TEXT_PAYLOADS = {
    "non-ASCII": "Ünïcödé ☃ 漢字 𝔘𝔫𝔦 \u202eevil\u200b ﷽ é",
    "NUL and control": "a\x00b\x01c\x08\x1b[31m\x7f\x85\u2028",
    "classic": "' OR '1'='1' -- \"><script>alert(1)</script>{{7*7}}${7*7}../../etc/passwd%s%n",
}
INVALID_UTF8 = b"\xff\xfe\xc0\xaf\xed\xa0\x80caf\xc3"
OVERLONG = "A" * 1_000_000
HEADERS = ("User-Agent", "Referer", "Accept-Language", "X-Forwarded-For")
# Run last, in this order: each may take away what the routes before it need.
LAST = ("auth.logout", "coordinate.delete_participant", "coordinate.forget_participant")


@dataclass
class World:
    round: Round
    invitation: Invitation
    batch_id: int
    item_id: int
    # An anonymous round's invitation: its start page has the only form of respond.begin.
    anonymous_invitation: Invitation
    # A peer review with its agenda drafted and one action; its host's personal link.
    review: ReviewWorld
    agenda_item_id: int
    action_id: int

    def url(self, app: Flask, rule: Rule, **overrides: Any) -> str:
        known = {
            "round_id": self.round.id,
            "participant_id": self.invitation.participant_id,
            "batch_id": self.batch_id,
            "item_id": self.item_id,
            "job_id": 1,
            "kind": "reminder",
            "section_id": "about",
            "survey_id": "respond-test",
            "revision": "0.3",
            "filename": "css/app.css",
            "review_id": self.review.review.id,
            "criterion_id": self.review.first,
            "chapter_id": self.review.first_chapter,
            "agenda_item_id": self.agenda_item_id,
            "action_id": self.action_id,
            "earlier_id": self.action_id,  # carrying an earlier action over (re-runs only)
            "token": self.round.open_link_token
            if rule.rule.startswith("/o/")
            else self.review.host.token
            if rule.rule.startswith("/r/")
            else self.anonymous_invitation.token
            if rule.endpoint == "respond.begin"
            else self.invitation.token,
            **overrides,
        }
        return route_url(app, rule.endpoint, {name: known[name] for name in rule.arguments})


@pytest.fixture
def world(session: Session) -> World:
    round_ = rounds.open_round(
        session, SurveyRegistry(TEST_SURVEYS), "respond-test", "0.3", open_link=True, actor=SETUP
    )
    invitation = invite(session, round_, language="en", group="staff")
    other = invite(session, round_, language="fi", group="staff")
    answer(session, round_, {"why_clarity": 1, "why_missing": "Unclear"}, other)
    batch = mail.create_batch(session, round_, "invitation", actor=SETUP)
    feedback.sync_feedback(session, round_)
    item = session.scalars(select(FeedbackItem).where(FeedbackItem.round_id == round_.id)).one()
    anonymous = rounds.open_round(
        session, SurveyRegistry(TEST_SURVEYS), "respond-test", "0.4", is_anonymous=True, actor=SETUP
    )
    anonymous_invitation = invite(session, anonymous, language="en")
    reviews = build_review(session)
    agenda = peer_reviews.draft_agenda(session, reviews.review, actor=SETUP)
    action = peer_reviews.add_action(session, reviews.review, title="Act", actor=SETUP)
    session.commit()
    return World(
        round_,
        invitation,
        batch.id,
        item.id,
        anonymous_invitation,
        reviews,
        agenda[0].id,
        action.id,
    )


# --- the forms of each POST route, from the app's own pages --------------------------------------


class _Forms(HTMLParser):
    """Each POST form's action and its fields: name → input type."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "form":
            post = found.get("method", "").lower() == "post"
            action = urlsplit(found.get("action") or self.page).path
            self._current = self.forms.setdefault(action, {}) if post else None
        elif (
            tag in ("input", "textarea", "select")
            and self._current is not None
            and found.get("name")
        ):
            self._current[found["name"]] = found.get("type", tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_on(client: FlaskClient, urls: list[str]) -> dict[str, dict[str, str]]:
    forms: dict[str, dict[str, str]] = {}
    for url in urls:
        reply = client.get(url)
        if reply.status_code == 200 and reply.mimetype == "text/html":
            parser = _Forms(url)
            parser.feed(reply.get_data(as_text=True))
            for action, fields in parser.forms.items():
                forms.setdefault(action, {}).update(fields)
    return forms


# --- sending ------------------------------------------------------------------------------------


@dataclass
class Target:
    """A POST route as one role sends it: its URL, its fields and a fresh form token."""

    rule: Rule
    url: str
    fields: dict[str, str]
    client: FlaskClient
    token: Callable[[], str]

    def post(self, form: MultiDict[str, Any], **kwargs: Any) -> Any:
        if any(kind == "file" for kind in self.fields.values()):
            form = MultiDict(form)
            for name, kind in self.fields.items():
                if kind == "file" and name not in form:
                    form[name] = (io.BytesIO(b"email\r\na@b.example\r\n"), "people.csv")
        reply = self.client.post(self.url, data=form, **kwargs)
        assert reply.status_code < 500, f"{self.rule.rule}: {reply.status_code}"
        return reply

    def text_fields(self) -> list[str]:
        return [n for n, kind in self.fields.items() if n != "csrf_token" and kind != "file"]

    def raw(self, body: bytes, **kwargs: Any) -> None:
        reply = self.client.post(
            self.url, data=body, content_type="application/x-www-form-urlencoded", **kwargs
        )
        assert reply.status_code < 500, f"{self.rule.rule}: {reply.status_code}"


def send_every_family(target: Target) -> int:
    """Each payload family in every field, the form token and the headers; requests sent."""
    sent = 0
    names = target.text_fields() or ["q"]
    for payload in TEXT_PAYLOADS.values():
        target.post(MultiDict([("csrf_token", target.token())] + [(n, payload) for n in names]))
        target.post(MultiDict([("csrf_token", payload)] + [(n, "x") for n in names]))
        sent += 2
    for name in names:  # 1 MB in each field on its own (all at once would pass the body limit)
        target.post(MultiDict([("csrf_token", target.token()), (name, OVERLONG)]))
        sent += 1
    target.post(MultiDict([("csrf_token", OVERLONG)]))
    token = quote_from_bytes(target.token().encode()).encode()
    raw_fields = b"&".join(
        quote_from_bytes(n.encode()).encode() + b"=" + INVALID_UTF8 for n in names
    )
    target.raw(b"csrf_token=" + token + b"&" + raw_fields)
    target.raw(b"csrf_token=" + INVALID_UTF8 + b"&" + INVALID_UTF8 + b"=1")
    return sent + 3 + send_in_headers(target)


def send_in_headers(target: Target) -> int:
    """Each family in the headers scanners fill, and in a cookie beside the session's."""
    sent = 0
    for payload in [*TEXT_PAYLOADS.values(), OVERLONG[:8000]]:
        # A header is bytes on the wire: a server hands the app what it got as latin-1.
        value = payload.replace("\r", "").replace("\n", "").encode().decode("latin-1")
        headers = {name: value for name in HEADERS}
        target.client.set_cookie("scanner", value.replace(";", "")[:4000])
        target.post(MultiDict([("csrf_token", target.token())]), headers=headers)
        target.client.delete_cookie("scanner")
        sent += 1
    headers = {name: INVALID_UTF8.decode("latin-1") for name in HEADERS}
    target.post(MultiDict([("csrf_token", target.token())]), headers=headers)
    return sent + 1


# --- the test -----------------------------------------------------------------------------------


def role_of(app: Flask, rule: Rule) -> str:
    if rule.endpoint.startswith("respond."):
        return "respondent"
    return str(getattr(app.view_functions[rule.endpoint], "required_role", None) or "anonymous")


def post_rules(app: Flask) -> list[Rule]:
    rules = [r for r in app.url_map.iter_rules() if "POST" in (r.methods or set())]
    return sorted(rules, key=lambda r: LAST.index(r.endpoint) if r.endpoint in LAST else -1)


def get_urls(app: Flask, world: World) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or set()) and rule.endpoint != "static":
            urls.append(world.url(app, rule))
    pages = [f"/s/{world.invitation.token}/p/{s}" for s in ("why", "overall")]
    return [*urls, *pages, f"/s/{world.anonymous_invitation.token}"]


@pytest.mark.timeout(180)
def test_no_scanner_payload_gets_a_server_error(app: Flask, world: World, as_user: LogIn) -> None:
    clients: dict[str, FlaskClient] = {}

    def client_for(role: str) -> tuple[FlaskClient, Callable[[], str]]:
        if role not in clients:
            client = app.test_client()
            if role == "respondent":
                assert client.get(f"/s/{world.invitation.token}").status_code == 200
            elif role in ("editor", "coordinator"):
                as_user(client, role)
            clients[role] = client
        client = clients[role]
        if role in ("editor", "coordinator"):
            return client, lambda: workspace_token(client)
        return client, lambda: csrf_token(client, "/login")

    forms: dict[str, dict[str, dict[str, str]]] = {}
    sent, covered = 0, set()
    for rule in post_rules(app):
        role = role_of(app, rule)
        roles = ["coordinator", "editor"] if role == "editor" else [role]
        urls = [world.url(app, rule)]
        if rule.endpoint == "respond.save":
            urls = [world.url(app, rule, section_id=s) for s in ("about", "why", "overall")]
        for who in roles:
            client, token = client_for(who)
            if who not in forms:
                forms[who] = forms_on(client, get_urls(app, world))
            for url in urls:
                fields = forms[who].get(urlsplit(url).path, {})
                if fields:
                    covered.add(rule.endpoint)
                sent += send_every_family(Target(rule, url, fields, client, token))
    # Forms shown only in other states (a closed round, a failed batch, a logged-in visitor,
    # comments waiting)
    # still get every payload, in a field of their own.
    elsewhere = {"mail.resend", "mail.send", "coordinate.reopen_round", "auth.logout"}
    elsewhere.add("feedback.bring_in")  # shown only while submitted comments wait
    elsewhere.add("feedback.report_notes")  # shown only once a comment is triaged
    elsewhere.add("feedback.import_apply")  # shown only on the preview of an uploaded workbook
    # A peer review's re-run starts once it is published; only a re-run's host has follow-ups.
    elsewhere |= {"review.start_rerun", "reviewer.save_follow_ups"}
    elsewhere.add("review.carry_action")  # only on a re-run's summary, for unfinished actions
    expected = {r.endpoint for r in post_rules(app)} - elsewhere
    assert covered >= expected, f"no form found for {expected - covered}"
    assert sent > 300
