"""Invitation and reminder texts in English, Finnish and Swedish, and the email built from them.

The texts are survey-independent: the survey's title, the manual revision, the dates, the
personal link and the contact address are filled in. The body is plain text, so nothing in
it is ever interpreted as markup; a survey language without a text here gets English.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cache

from babel.dates import format_date, format_time
from jinja2 import Environment, StrictUndefined, Template

from ...definitions.schema import localize
from ...models import Round
from ..invitations import personal_link
from ..rounds import as_utc, round_state, round_survey

MAIL_LANGUAGES = ("en", "fi", "sv")
PREVIEW_TOKEN = "[personal-link]"
PREVIEW_NAME = "[name]"
FALLBACK_LANGUAGE = "en"

# How a moment reads in a sentence: "31 March 2027 at 17:00 UTC", "31. maaliskuuta 2027 klo
# 17.00 UTC". Times stay in UTC: the partnership spans several time zones.
_MOMENT = {
    "en": "{date} at {time} UTC",
    "fi": "{date} klo {time} UTC",
    "sv": "{date} kl. {time} UTC",
}
_TIME = {"en": "HH:mm", "fi": "H.mm", "sv": "HH:mm"}

_SUBJECTS = {
    ("invitation", "en"): "Invitation: {{ title }} (manual revision {{ revision }})",
    ("invitation", "fi"): "Kutsu: {{ title }} (käsikirjan versio {{ revision }})",
    ("invitation", "sv"): "Inbjudan: {{ title }} (handbokens version {{ revision }})",
    ("reminder", "en"): "Reminder: {{ title }} (manual revision {{ revision }})",
    ("reminder", "fi"): "Muistutus: {{ title }} (käsikirjan versio {{ revision }})",
    ("reminder", "sv"): "Påminnelse: {{ title }} (handbokens version {{ revision }})",
}

_INVITATION_EN = """\
{% if name %}Dear {{ name }},{% else %}Dear colleague,{% endif %}

The EU Urban Agenda partnership on innovative and responsible public procurement is preparing \
revision {{ revision }} of the Strategic Procurement and Management Manual. Your experience as \
a procurement professional would help us greatly, and we would be grateful if you could answer \
the survey "{{ title }}".

Your personal link:
{{ link }}

{% if outcomes %}{{ outcomes }}

{% endif %}\
{% if opens %}The survey opens on {{ opens }}. {% endif %}You can stop at any time and continue \
later with the same link, and you can change your answers until the survey closes.\
{% if closes %} The survey closes on {{ closes }}.{% endif %}

The link is personal, so please do not forward it. If you have any questions, simply reply to \
this message or write to {{ contact }}.

Kind regards,
The coordination team of the Strategic Procurement and Management Manual
"""

_INVITATION_FI = """\
{% if name %}Hei {{ name }},{% else %}Hei,{% endif %}

EU:n kaupunkiagendan innovatiivisten ja vastuullisten julkisten hankintojen kumppanuus \
valmistelee strategisen hankinnan ja hankintojen johtamisen käsikirjan (Strategic Procurement \
and Management Manual) versiota {{ revision }}. Kokemuksestasi hankintojen ammattilaisena olisi \
meille paljon apua, ja olisimme kiitollisia, jos vastaisit kyselyyn ”{{ title }}”.

Henkilökohtainen vastauslinkkisi:
{{ link }}

{% if outcomes %}{{ outcomes }}

{% endif %}\
{% if opens %}Kysely avautuu {{ opens }}. {% endif %}Voit keskeyttää vastaamisen milloin \
tahansa ja jatkaa myöhemmin samasta linkistä. Voit myös muuttaa vastauksiasi kyselyn \
sulkeutumiseen asti.{% if closes %} Kysely sulkeutuu {{ closes }}.{% endif %}

Linkki on henkilökohtainen, joten älä välitä sitä eteenpäin. Jos sinulla on kysyttävää, vastaa \
tähän viestiin tai kirjoita osoitteeseen {{ contact }}.

Ystävällisin terveisin
Strategisen hankinnan ja hankintojen johtamisen käsikirjan koordinaatioryhmä
"""

_INVITATION_SV = """\
{% if name %}Hej {{ name }},{% else %}Hej,{% endif %}

Partnerskapet för innovativ och ansvarsfull offentlig upphandling inom EU:s agenda för städer \
tar fram version {{ revision }} av handboken för strategisk upphandling och upphandlingsstyrning \
(Strategic Procurement and Management Manual). Din erfarenhet som upphandlare skulle vara till \
stor hjälp för oss, och vi vore tacksamma om du ville besvara enkäten ”{{ title }}”.

Din personliga länk:
{{ link }}

{% if outcomes %}{{ outcomes }}

{% endif %}\
{% if opens %}Enkäten öppnar den {{ opens }}. {% endif %}Du kan avbryta när som helst och \
fortsätta senare via samma länk, och du kan ändra dina svar ända tills enkäten stänger.\
{% if closes %} Enkäten stänger den {{ closes }}.{% endif %}

Länken är personlig, så vidarebefordra den inte. Om du har frågor kan du svara på det här \
meddelandet eller skriva till {{ contact }}.

Med vänliga hälsningar
Samordningsgruppen för handboken för strategisk upphandling och upphandlingsstyrning
"""

_REMINDER_EN = """\
{% if name %}Dear {{ name }},{% else %}Dear colleague,{% endif %}

This is a friendly reminder about the survey "{{ title }}" on revision {{ revision }} of the \
Strategic Procurement and Management Manual. We have not yet received your submitted answers, \
and your experience as a procurement professional matters to us.

Your personal link:
{{ link }}

{% if outcomes %}{{ outcomes }}

{% endif %}\
If you have already started, the link takes you back to your saved answers; please remember to \
submit them at the end. You can change your answers until the survey closes.\
{% if closes %} The survey closes on {{ closes }}.{% endif %}

If you have submitted your answers in the meantime, thank you, and please ignore this message. \
If you have any questions, simply reply to this message or write to {{ contact }}.

Kind regards,
The coordination team of the Strategic Procurement and Management Manual
"""

_REMINDER_FI = """\
{% if name %}Hei {{ name }},{% else %}Hei,{% endif %}

Muistutamme ystävällisesti kyselystä ”{{ title }}”, joka koskee strategisen hankinnan ja \
hankintojen johtamisen käsikirjan versiota {{ revision }}. Emme ole vielä saaneet vastauksiasi, \
ja kokemuksesi hankintojen ammattilaisena on meille tärkeä.

Henkilökohtainen vastauslinkkisi:
{{ link }}

{% if outcomes %}{{ outcomes }}

{% endif %}\
Jos olet jo aloittanut vastaamisen, pääset linkistä jatkamaan tallentamistasi vastauksista. \
Muistathan lähettää vastauksesi lopuksi. Voit muuttaa vastauksiasi kyselyn sulkeutumiseen asti.\
{% if closes %} Kysely sulkeutuu {{ closes }}.{% endif %}

Jos olet lähettänyt vastauksesi tällä välin, kiitos – voit jättää tämän viestin huomiotta. Jos \
sinulla on kysyttävää, vastaa tähän viestiin tai kirjoita osoitteeseen {{ contact }}.

Ystävällisin terveisin
Strategisen hankinnan ja hankintojen johtamisen käsikirjan koordinaatioryhmä
"""

_REMINDER_SV = """\
{% if name %}Hej {{ name }},{% else %}Hej,{% endif %}

Det här är en vänlig påminnelse om enkäten ”{{ title }}”, som gäller version {{ revision }} av \
handboken för strategisk upphandling och upphandlingsstyrning. Vi har ännu inte fått in dina \
svar, och din erfarenhet som upphandlare är viktig för oss.

Din personliga länk:
{{ link }}

{% if outcomes %}{{ outcomes }}

{% endif %}\
Om du redan har börjat kommer du via länken tillbaka till dina sparade svar. Kom ihåg att \
skicka in dem när du är klar. Du kan ändra dina svar ända tills enkäten stänger.\
{% if closes %} Enkäten stänger den {{ closes }}.{% endif %}

Om du har skickat in dina svar under tiden tackar vi för det, och du kan bortse från det här \
meddelandet. Om du har frågor kan du svara på meddelandet eller skriva till {{ contact }}.

Med vänliga hälsningar
Samordningsgruppen för handboken för strategisk upphandling och upphandlingsstyrning
"""

_BODIES = {
    ("invitation", "en"): _INVITATION_EN,
    ("invitation", "fi"): _INVITATION_FI,
    ("invitation", "sv"): _INVITATION_SV,
    ("reminder", "en"): _REMINDER_EN,
    ("reminder", "fi"): _REMINDER_FI,
    ("reminder", "sv"): _REMINDER_SV,
}

# Plain text out, so no escaping; StrictUndefined makes a misspelt variable an error, not a gap.
_ENV = Environment(autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True)


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


@cache
def _template(source: str) -> Template:
    return _ENV.from_string(source)


def format_moment(moment: dt.datetime, language: str) -> str:
    """A UTC moment as it reads in a sentence of `language`."""
    moment = moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
    lang = text_language(language)
    # British English: "31 March 2027", as the partnership writes, not "March 31, 2027".
    locale = "en_GB" if lang == "en" else lang
    date = format_date(moment.date(), "long", locale=locale)
    time = format_time(moment.time(), _TIME[lang], locale=locale)
    return _MOMENT[lang].format(date=date, time=time)


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
    subject = _template(_SUBJECTS[kind, lang]).render(values)
    body = _template(_BODIES[kind, lang]).render(values)
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
