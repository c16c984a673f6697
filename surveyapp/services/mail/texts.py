"""Invitation and reminder texts in every interface language, and the email built from them.

The texts are the templates in templates/, translated through the interface catalogues like
any page. They are survey-independent: the survey's title, the manual revision, the dates,
the personal link and the contact address are filled in. The body is plain text, so nothing
in it is ever interpreted as markup; a survey language without a catalogue gets English.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache

from babel.dates import format_date, format_time
from babel.support import Translations
from jinja2 import Environment, PackageLoader, StrictUndefined

from ...definitions.schema import localize
from ...languages import INTERFACE_LANGUAGES, TRANSLATIONS_DIR
from ...models import Round
from ..invitations import personal_link
from ..rounds import as_utc, round_state, round_survey

MAIL_LANGUAGES = INTERFACE_LANGUAGES
PREVIEW_TOKEN = "[personal-link]"
PREVIEW_NAME = "[name]"
FALLBACK_LANGUAGE = "en"


@cache  # one environment per interface language, so the cache is bounded by their number
def _environment(lang: str) -> Environment:
    """The mail templates with `lang`'s interface catalogue installed for their {% trans %}."""
    # Plain text out, so no escaping; StrictUndefined makes a misspelt variable an error.
    env = Environment(
        loader=PackageLoader("surveyapp.services.mail", "templates"),
        extensions=["jinja2.ext.i18n"],
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    # The i18n extension adds this method to the environment, so type checkers cannot see it.
    translations = Translations.load(TRANSLATIONS_DIR, [lang])
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return env


@dataclass(frozen=True)
class MailText:
    """What one message says: the language its text is in, subject and plain-text body."""

    language: str
    subject: str
    body: str


@dataclass(frozen=True)
class MailContext:
    """The values a message text is filled with."""

    name: str
    title: str
    revision: str
    link: str
    contact: str
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    # What became of the participant's comments on the previous revision, with the link to
    # their outcomes page (services.outcomes.outcomes_line); "" for none.
    outcomes: str = ""


def text_language(language: str) -> str:
    """The language a message is written in: `language` if there is a text in it, else English."""
    return language if language in MAIL_LANGUAGES else FALLBACK_LANGUAGE


def format_moment(moment: dt.datetime, language: str) -> str:
    """A UTC moment as it reads in a sentence of `language`."""
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    lang = text_language(language)
    # British English: "31 March 2027", as the partnership writes, not "March 31, 2027"; the
    # time as the language writes it ("17.00" in Finnish). Times stay in UTC: the partnership
    # spans several time zones.
    locale = "en_GB" if lang == FALLBACK_LANGUAGE else lang
    date = format_date(moment.date(), "long", locale=locale)
    time = format_time(moment.time(), "short", locale=locale)
    return _environment(lang).get_template("_moment.txt").render(date=date, time=time)


def render(kind: str, language: str, context: MailContext) -> MailText:
    """The subject and body of a `kind` message for someone who reads `language`."""
    lang = text_language(language)
    values = {
        "name": context.name,
        "title": context.title,
        "revision": context.revision,
        "link": context.link,
        "contact": context.contact,
        "opens": format_moment(context.opens_at, lang) if context.opens_at else "",
        "closes": format_moment(context.closes_at, lang) if context.closes_at else "",
        "outcomes": context.outcomes,
    }
    env = _environment(lang)
    subject = env.get_template(f"{kind}_subject.txt").render(values)
    body = env.get_template(f"{kind}.txt").render(values)
    # A header is one line: survey text with a line break must not add headers.
    return MailText(language=lang, subject=" ".join(subject.split()), body=body)


def contact_address(mail_from: str) -> str:
    """The bare address of MAIL_FROM ("Team <team@example.eu>" → "team@example.eu")."""
    return email.utils.parseaddr(mail_from)[1] or mail_from


def build_message(text: MailText, mail_from: str, to: str) -> EmailMessage:
    """A UTF-8 email of `text` from MAIL_FROM to one participant."""
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = to
    message["Subject"] = text.subject
    message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    domain = contact_address(mail_from).rpartition("@")[2] or None
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    message.set_content(text.body, charset="utf-8")
    message["Content-Language"] = text.language  # after set_content, which clears Content-*
    return message


def message_context(
    round_: Round, language: str, name: str, link: str, mail_from: str, outcomes: str = ""
) -> MailContext:
    """The values of one message about `round_`, the survey's title in `language`."""
    survey = round_survey(round_)
    return MailContext(
        name=name,
        title=localize(survey.title, language, survey.default_language),
        revision=round_.revision,
        link=link,
        contact=contact_address(mail_from),
        opens_at=as_utc(round_.opens_at) if round_state(round_) == "not_yet_open" else None,
        closes_at=as_utc(round_.closes_at),
        outcomes=outcomes,
    )


def outcomes_paragraph(line: str | None, see: str, link: str) -> str:
    """The mail's paragraph about the participant's earlier comments: the outcomes line,
    then the link to their outcomes page; "" without a line."""
    return f"{line} {see}\n{link}/outcomes" if line else ""


def preview(
    round_: Round, kind: str, language: str, *, base_url: str, mail_from: str
) -> tuple[str, str]:
    """Subject and body of a `kind` message in `language`, with placeholders for name and link.

    The placeholder link is never a real token, so a preview can be shown and shared freely.
    """
    link = personal_link(base_url, PREVIEW_TOKEN)
    text = render(kind, language, message_context(round_, language, PREVIEW_NAME, link, mail_from))
    return text.subject, text.body
