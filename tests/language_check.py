"""Find English interface text left on a page shown in another language: every msgid whose
translation differs is a pattern (placeholders match anything), searched in the visible text
and in the attributes a screen reader reads out."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from builders import csrf_token, post_page

CATALOGUES = Path(__file__).resolve().parents[1] / "surveyapp" / "translations"


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Text(HTMLParser):
    """Visible text nodes and the attributes a screen reader reads out, in the page's own
    language: text inside an element marked with another `lang` (a survey text that is not
    translated, a language's own name) is the survey's, not the interface's."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0
        self._langs: list[tuple[str, str | None]] = []  # (tag, lang) of the open elements

    def _foreign(self) -> bool:
        declared = [lang for _, lang in self._langs if lang]
        return len(declared) > 1 and declared[-1] != declared[0]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag not in VOID:
            self._langs.append((tag, dict(attrs).get("lang")))
        if self._foreign() or dict(attrs).get("lang") not in (None, self._page_lang()):
            return
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.chunks.append(value.strip())

    def _page_lang(self) -> str | None:
        return self._langs[0][1] if self._langs else None

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        # Close up to the matching element (HTML allows some end tags to be left out).
        for i in range(len(self._langs) - 1, -1, -1):
            if self._langs[i][0] == tag:
                del self._langs[i:]
                break

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip() and not self._foreign():
            self.chunks.append(" ".join(data.split()))


@functools.cache  # one list per language, read once per test run
def _patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """English msgids whose translation differs, as patterns with placeholders as wildcards.

    A msgid that is itself a translation in the same catalogue is a word of that language
    too (Swedish "Filter" translates "Filters"), so it is not looked for."""
    with (CATALOGUES / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    own_words = {
        s for m in catalogue for s in (m.string if isinstance(m.string, tuple) else (m.string,))
    }
    patterns = []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if not msgid or msgid in strings or msgid in own_words or len(msgid) < 3:
                continue
            if not re.search(r"[A-Za-z]", re.sub(r"%\(\w+\)[sd]", "", msgid)):
                continue  # only placeholders and punctuation: nothing English to find
            # A placeholder stands for a value: a name, a number, a file name.
            body = re.sub(r"%\\\([a-z_]+\\\)[sd]", ".{1,40}?", re.escape(msgid))
            # A hyphen joins words: "group" is not English left in "validation-group".
            patterns.append((msgid, re.compile(rf"(?<![\w-]){body}(?![\w-])[.:]?")))
    return patterns


def english_left(html: str, lang: str) -> list[str]:
    """The English msgids found on the page, each with the line of text it was found in."""
    parser = _Text()
    parser.feed(html)
    found = []
    for msgid, pattern in _patterns(lang):
        # A word or two ("Import", "status") is also a word of many languages: left over, it
        # is a whole text node (a button, a heading); a longer text is looked for anywhere.
        short = len(re.sub(r"%\(\w+\)[sd]", "", msgid).split()) < 3
        matches = pattern.fullmatch if short else pattern.search
        line = next((chunk for chunk in parser.chunks if matches(chunk)), None)
        if line is not None:
            found.append(msgid if line == msgid else f"{msgid} (in {line[:120]!r})")
    return found


def respondent_pages(
    client: FlaskClient, base: str, session: Session, invitation: Any
) -> Iterator[str]:
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
    unknown = client.get(
        "/s/" + "x" * 32, headers={"Accept-Language": str(invitation.participant.language)}
    )
    yield unknown.get_data(as_text=True)
    session.rollback()  # a fresh snapshot: SQLite refuses to write from a stale one
    invitation.round.opens_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    session.commit()
    yield client.get(base).get_data(as_text=True)
    invitation.round.status = "closed"
    session.commit()
    yield client.get(base).get_data(as_text=True)
