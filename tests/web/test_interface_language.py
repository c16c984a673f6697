"""Every respondent page in Finnish and Swedish: no English interface string left on it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from builders import csrf_token, post_page

CATALOGUES = Path(__file__).resolve().parents[2] / "surveyapp" / "translations"


class _Text(HTMLParser):
    """Visible text nodes and the attributes a screen reader reads out."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.chunks.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.chunks.append(" ".join(data.split()))


def _patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """English msgids whose translation differs, as patterns with placeholders as wildcards."""
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    patterns = []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not msgid or msgid in strings or len(msgid) < 3:
                continue
            body = re.sub(r"%\\\([a-z_]+\\\)[sd]", ".+?", re.escape(msgid))
            patterns.append((msgid, re.compile(rf"(^|\W){body}($|\W)")))
    return patterns


def _english_left(html: str, lang: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = "\n".join(parser.chunks)
    return [msgid for msgid, pattern in _patterns(lang) if pattern.search(text)]


def _pages(client: FlaskClient, base: str, session: Session, invitation: Any) -> Iterator[str]:
    """Every kind of respondent page, in the order a respondent meets them."""
    yield client.get(base).get_data(as_text=True)
    yield client.get(f"{base}/p/about").get_data(as_text=True)
    yield post_page(client, f"{base}/p/about", {"years": "x"}).get_data(as_text=True)
    post_page(client, f"{base}/p/about", {"role": "manager"})
    yield client.get(f"{base}/p/why").get_data(as_text=True)
    yield post_page(client, f"{base}/p/why", {"why_clarity": "1"}).get_data(as_text=True)
    yield client.get(f"{base}/p/overall").get_data(as_text=True)
    yield post_page(client, f"{base}/review", {}).get_data(as_text=True)
    post_page(client, f"{base}/p/why", {"why_clarity": "4"})
    post_page(client, f"{base}/p/overall", {"chapters_read": "why", "overall_usefulness": "7"})
    yield client.get(f"{base}/review").get_data(as_text=True)
    client.post(f"{base}/review", data={"csrf_token": csrf_token(client, f"{base}/review")})
    yield client.get(f"{base}/thanks").get_data(as_text=True)
    unknown = client.get("/s/" + "x" * 32, headers={"Accept-Language": invitation_lang(invitation)})
    yield unknown.get_data(as_text=True)
    session.rollback()  # a fresh snapshot: SQLite refuses to write from a stale one
    invitation.round.opens_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    session.commit()
    yield client.get(base).get_data(as_text=True)
    invitation.round.status = "closed"
    session.commit()
    yield client.get(base).get_data(as_text=True)


def invitation_lang(invitation: Any) -> str:
    return str(invitation.participant.language)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_no_english_interface_text_on_any_respondent_page(
    client: FlaskClient,
    session: Session,
    lang: str,
    make_round: Callable[..., Any],
    make_participant: Callable[..., Any],
    make_invitation: Callable[..., Any],
) -> None:
    invitation = make_invitation(make_round(), make_participant(language=lang))
    base = f"/s/{invitation.token}"
    for number, html in enumerate(_pages(client, base, session, invitation), 1):
        assert f'<html lang="{lang}">' in html, f"page {number} is not in {lang}"
        assert _english_left(html, lang) == [], f"page {number} has English text"


def test_the_check_finds_english_text() -> None:
    html = '<html lang="fi"><body><button>Next</button><p>Page 2 of 5</p></body></html>'
    assert set(_english_left(html, "fi")) >= {"Next", "Page %(page)s of %(total)s"}
