"""Payloads, checks and builders shared by the security suite (see README.md beside this file).

A module of its own, not conftest.py: test modules import from it by name."""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from builders import SETUP
from surveyapp.definitions import SurveyRegistry
from surveyapp.models import Invitation, Participant, Response, Round
from surveyapp.services import response_writes, rounds

# Classic cross-site scripting payloads, each marked so a failure names the one that got in.
XSS_PAYLOADS = [
    "<script>alert('xss-script')</script>",
    '"><img src=x onerror=alert("xss-img")>',
    "'><svg onload=alert('xss-svg')>",
    "javascript:alert('xss-js')",
    "{{7*7}}{{config}}",
    "</textarea></title><script>alert('xss-close')</script>",
]

_ids = itertools.count(1)


def next_id() -> int:
    """A number no other object of this test session has used."""
    return next(_ids)


# --- checking a page --------------------------------------------------------------------------


class _Injected(HTMLParser):
    """Collects markup that would run script: inline <script>, on* handlers, javascript: URLs."""

    URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data")

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("/static/"):
            self.found.append(f"<script {values}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            url = (value or "").strip().lower()
            if name in self.URL_ATTRIBUTES and url.startswith(("javascript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def injected(html: str) -> list[str]:
    """Every element or attribute in `html` that would run a script."""
    parser = _Injected()
    parser.feed(html)
    parser.close()
    return parser.found


def assert_inert(html: str, payload: str | None = None, where: str = "") -> None:
    """Nothing on the page runs a script; `payload`, if given, is shown as escaped text."""
    found = injected(html)
    assert not found, f"{where}: markup that runs script: {found}"
    if payload is not None:
        shown = str(escape(payload))
        assert shown in html, f"{where}: the payload is not shown as text ({shown!r})"


# --- accounts and data --------------------------------------------------------------------------


def invite(session: Session, round_: Round, **fields: Any) -> Invitation:
    """A new participant with `fields`, invited to `round_`."""
    n = next(_ids)
    values = {"email": f"person{n}@city{n}.example", "name": f"Person {n}", **fields}
    person = Participant(**values)
    session.add(person)
    session.flush()
    rounds.invite_participants(session, round_, [person.id], actor=SETUP)
    return session.scalars(
        select(Invitation).where(
            Invitation.round_id == round_.id, Invitation.participant_id == person.id
        )
    ).one()


def answer(
    session: Session,
    round_: Round,
    values: dict[str, Any],
    invitation: Invitation | None = None,
    submit: bool = True,
) -> Response:
    """A response with these answers stored as if its pages had been sent."""
    response = Response(
        round_id=round_.id, invitation_id=invitation.id if invitation else None, language="en"
    )
    session.add(response)
    session.flush()
    response_writes.write_answers(session, response, values)
    if submit:
        response_writes.submit_response(session, response, rounds.round_survey(round_))
    return response


# --- a survey whose own text carries payloads ---------------------------------------------------

PAYLOAD_SURVEY_ID = "payload-test"


def payload_survey_yaml(texts: Iterable[str]) -> str:
    """A one-language survey of every question type whose titles, texts, help, labels and one
    option value are the given payloads, in turn (JSON strings are valid YAML scalars)."""
    pool = itertools.cycle(texts)

    def p() -> str:
        return json.dumps(next(pool))

    return f"""id: {PAYLOAD_SURVEY_ID}
title: {p()}
languages: [en]
description: {p()}
scales:
  custom3:
    - {{value: 1, label: {p()}}}
    - {{value: 2, label: {p()}}}
    - {{value: 3, label: {p()}}}
sections:
  - id: first
    chapter: why
    title: {p()}
    description: {p()}
    questions:
      - id: intro
        type: info
        text: {p()}
      - id: pick
        type: single
        other: true
        text: {p()}
        help: {p()}
        options:
          - {{value: {p()}, label: {p()}}}
          - {{value: plain, label: {p()}}}
      - id: many
        type: multi
        text: {p()}
        options:
          - {{value: a, label: {p()}}}
          - {{value: b, label: {p()}}}
      - id: scale
        type: likert
        scale: custom3
        na: true
        text: {p()}
  - id: second
    chapter: how
    title: {p()}
    questions:
      - id: grid
        type: matrix
        scale: agree5
        text: {p()}
        rows:
          - {{value: r1, label: {p()}}}
          - {{value: r2, label: {p()}}}
      - id: score
        type: rating
        min: 0
        max: 10
        min_label: {p()}
        max_label: {p()}
        text: {p()}
      - id: comment
        type: text
        multiline: true
        text: {p()}
        show_if: {{question: score, gte: 0}}
      - id: count
        type: number
        text: {p()}
"""


def write_payload_survey(directory: Path, payloads: Iterable[str]) -> SurveyRegistry:
    """Write the payload survey into `directory` and return a registry that reads it."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{PAYLOAD_SURVEY_ID}.yaml"
    path.write_text(payload_survey_yaml(payloads), encoding="utf-8")
    registry = SurveyRegistry(directory)
    registry.get(PAYLOAD_SURVEY_ID)  # fails loudly if the survey is not valid
    return registry


# --- the URL map --------------------------------------------------------------------------------


def get_routes(app: Flask) -> list[tuple[str, str, tuple[str, ...]]]:
    """(endpoint, rule, arguments) of every GET route except static files."""
    return [
        (rule.endpoint, rule.rule, tuple(sorted(rule.arguments)))
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or set()) and rule.endpoint != "static"
    ]


def route_url(app: Flask, endpoint: str, values: dict[str, Any]) -> str:
    with app.test_request_context():
        return url_for(endpoint, **values)


# --- raw HTTP -----------------------------------------------------------------------------------


@contextmanager
def served(app: Flask) -> Iterator[tuple[str, int]]:
    """`app` behind Werkzeug's own server on 127.0.0.1 and a free port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        thread.join(5)


def post_chunked(
    address: tuple[str, int], path: str, body: bytes, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """POST `body` with Transfer-Encoding: chunked (no Content-Length); the status and body.

    The body is sent by a thread of its own while the reply is read, as a client would that
    keeps sending: a server may answer before it has read everything.
    """
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {address[0]}:{address[1]}",
        "Transfer-Encoding: chunked",
        "Content-Type: application/x-www-form-urlencoded",
        "Connection: close",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    with socket.create_connection(address, timeout=30) as sock:
        sender = threading.Thread(target=_send_chunks, args=(sock, head, body), daemon=True)
        sender.start()
        reply = _read_reply(sock.makefile("rb"))
    sender.join(5)
    return reply


def _send_chunks(sock: socket.socket, head: list[str], body: bytes) -> None:
    with suppress(OSError):  # the server may close the connection once it has answered
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        for start in range(0, len(body), 64 * 1024):
            chunk = body[start : start + 64 * 1024]
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        sock.sendall(b"0\r\n\r\n")


def _read_reply(stream: Any) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 reply with a Content-Length."""
    status = int(stream.readline().split()[1])
    length = 0
    while (line := stream.readline().strip()) != b"":
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, stream.read(length)
