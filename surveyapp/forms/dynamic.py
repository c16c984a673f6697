"""A survey section's posted form → answers, through one table {question type → field}."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import format_decimal
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from ..definitions.schema import OTHER_VALUE, Question, Section
from ..i18n import _, _l, ngettext

OTHER = OTHER_VALUE  # a chosen "Other" is stored as this value; its text as "<id>.other"
NA = "na"  # the posted value of "Not applicable"; stored as an answer with no value
MAX_TEXT = 100_000
OTHER_MAX = 200
NUMBER_SHOWN = 50  # characters of a posted number shown back; no number needs more


class PageForm(FlaskForm):  # type: ignore[misc]  # flask_wtf is untyped
    """Carries only the CSRF token; the questions are parsed by QUESTION_FIELDS."""


class TokenField:
    """What a respondent template reads of a PageForm: `form.csrf_token`, the same markup.

    Building a PageForm for every rendered page costs more than the token itself
    (benchmarks/load); posted forms are still checked by PageForm and CSRFProtect.
    """

    @property
    def csrf_token(self) -> Markup:
        config = current_app.config
        if not config.get("WTF_CSRF_ENABLED", True):
            return Markup("")
        name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        return Markup('<input id="{0}" name="{0}" type="hidden" value="{1}">').format(
            name, generate_csrf()
        )


@dataclass
class Parsed:
    """One question's posted answer: `value` to store (None with `is_na`), or an error."""

    value: Any = None
    is_empty: bool = True
    is_na: bool = False
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. {"q.other": "text"}
    row_errors: dict[str, str] = field(default_factory=dict)


Parser = Callable[[Question, MultiDict[str, str]], Parsed]


def _clean(text: str) -> str:
    return text.replace("\x00", "").replace("\r\n", "\n").strip()


def _option_lookup(question: Question) -> dict[str, Any]:
    return {str(o.value): o.value for o in question.options}


def parse_single(q: Question, form: MultiDict[str, str]) -> Parsed:
    raw = form.get(q.id, "")
    if raw == "":
        return Parsed()
    options = _option_lookup(q)
    if raw == OTHER and q.other:
        return _with_other(q, form, OTHER)
    if raw not in options:
        return Parsed(is_empty=False, error=_("Choose one of the options."))
    return Parsed(value=options[raw], is_empty=False)


def _with_other(q: Question, form: MultiDict[str, str], value: Any) -> Parsed:
    text = _clean(form.get(f"{q.id}.other", ""))
    if not text:
        return Parsed(is_empty=False, error=_("Please specify your “Other” answer."))
    if len(text) > OTHER_MAX:
        return Parsed(
            is_empty=False,
            error=_("Please keep “Other” to at most %(limit)d characters.", limit=OTHER_MAX),
        )
    return Parsed(value=value, is_empty=False, extra={f"{q.id}.other": text})


def parse_multi(q: Question, form: MultiDict[str, str]) -> Parsed:
    raws = [r for r in form.getlist(q.id) if r]
    if not raws:
        return _check_min_choices(q, 0, Parsed())
    options = _option_lookup(q)
    if any(r not in options and not (r == OTHER and q.other) for r in raws):
        return Parsed(is_empty=False, error=_("Choose among the options shown."))
    chosen = [options[o] for o in options if o in raws]
    parsed = Parsed(value=chosen, is_empty=False)
    if OTHER in raws:
        parsed = _with_other(q, form, [*chosen, OTHER])
    return _check_min_choices(q, len(set(raws)), parsed)


def _check_min_choices(q: Question, count: int, parsed: Parsed) -> Parsed:
    if parsed.error:
        return parsed
    if count and q.min_choices and count < q.min_choices:
        parsed.error = ngettext(
            "Choose at least %(num)d option.", "Choose at least %(num)d options.", q.min_choices
        )
    elif q.max_choices and count > q.max_choices:
        parsed.error = ngettext(
            "Choose at most %(num)d option.", "Choose at most %(num)d options.", q.max_choices
        )
    return parsed


def _scale_value(raw: str, allowed: Mapping[str, int]) -> int | None:
    return allowed.get(raw.strip())


def parse_likert(q: Question, form: MultiDict[str, str]) -> Parsed:
    raw = form.get(q.id, "")
    if raw == "":
        return Parsed()
    if raw == NA and q.na:
        return Parsed(is_empty=False, is_na=True)
    assert q.scale is not None
    value = _scale_value(raw, {str(v): v for v in q.scale.values})
    if value is None:
        return Parsed(is_empty=False, error=_("Choose one of the options."))
    return Parsed(value=value, is_empty=False)


def parse_rating(q: Question, form: MultiDict[str, str]) -> Parsed:
    raw = form.get(q.id, "")
    if raw == "":
        return Parsed()
    low, high = int(q.min or 0), int(q.max or 10)
    value = _scale_value(raw, {str(v): v for v in range(low, high + 1)})
    if value is None:
        return Parsed(
            is_empty=False, error=_("Choose a number from %(low)d to %(high)d.", low=low, high=high)
        )
    return Parsed(value=value, is_empty=False)


def parse_matrix(q: Question, form: MultiDict[str, str]) -> Parsed:
    assert q.scale is not None
    allowed = {str(v): v for v in q.scale.values}
    values: dict[str, int] = {}
    parsed = Parsed()
    for row in q.rows:
        name = f"{q.id}.{row.value}"
        raw = form.get(name, "")
        if raw == "":
            continue
        value = _scale_value(raw, allowed)
        if value is None:
            parsed.row_errors[name] = _("Choose one of the options.")
        else:
            values[str(row.value)] = value
    if values:
        parsed.value, parsed.is_empty = values, False
    if parsed.row_errors:
        parsed.error = _("Check the rows marked below.")
    return parsed


def parse_text(q: Question, form: MultiDict[str, str]) -> Parsed:
    text = _clean(form.get(q.id, ""))
    if not text:
        return Parsed()
    limit = text_limit(q)
    if len(text) > limit:
        return Parsed(
            value=None,
            is_empty=False,
            error=_(
                "Please shorten your answer to %(limit)d characters (it has %(count)d).",
                limit=limit,
                count=len(text),
            ),
        )
    return Parsed(value=text, is_empty=False)


def parse_number(q: Question, form: MultiDict[str, str]) -> Parsed:
    raw = _clean(form.get(q.id, "")).replace(" ", "").replace("\u00a0", "")
    if not raw:
        return Parsed()
    try:
        number = float(raw.replace(",", "."))  # Finnish and Swedish write 3,5
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return Parsed(is_empty=False, error=_("Enter a number, for example 12 or 3.5."))
    if q.integer and not number.is_integer():
        return Parsed(is_empty=False, error=_("Enter a whole number."))
    if (q.min is not None and number < q.min) or (q.max is not None and number > q.max):
        return Parsed(is_empty=False, error=_range_message(q))
    value: int | float = int(number) if q.integer or number.is_integer() else number
    return Parsed(value=value, is_empty=False)


def _range_message(q: Question) -> str:
    if q.min is not None and q.max is not None:
        return _("Enter a number from %(low)s to %(high)s.", low=_num(q.min), high=_num(q.max))
    if q.min is not None:
        return _("Enter a number of at least %(low)s.", low=_num(q.min))
    return _("Enter a number of at most %(high)s.", high=_num(q.max or 0))


def _num(x: float) -> str:
    """A number as the respondent writes it: 3,5 in Finnish and Swedish."""
    return str(format_decimal(int(x) if float(x).is_integer() else x))


def parse_info(q: Question, form: MultiDict[str, str]) -> Parsed:
    return Parsed()


def parse_section(section: Section, form: MultiDict[str, str]) -> dict[str, Parsed]:
    """Parse every answerable question of the section from the posted form."""
    return {
        q.id: QUESTION_FIELDS[q.type].parse(q, form) for q in section.questions if q.is_answerable
    }


def required_message(q: Question) -> str:
    return str(QUESTION_FIELDS[q.type].required)


def display_values(section: Section, form: MultiDict[str, str]) -> dict[str, Any]:
    """What the respondent typed, as the question macros expect it, to re-render a page.

    Each value is held to its question's limit first: text is cut to the length the question
    accepts (a browser's `maxlength` lets no one type more), a number to NUMBER_SHOWN
    characters, and a choice is kept only if it is one of the question's options. So a page
    never echoes more than its questions can hold, whatever was posted.
    """
    values: dict[str, Any] = {}
    for q in section.questions:
        if q.is_answerable:
            values[q.id] = QUESTION_FIELDS[q.type].shown(q, form)
        if q.other:
            values[f"{q.id}.other"] = _shown_text(form.get(f"{q.id}.other", ""), OTHER_MAX)
    return values


def _shown_choice(q: Question, form: MultiDict[str, str]) -> Any:
    value = form.get(q.id)
    return value if value in choice_values(q) else None


def _shown_choices(q: Question, form: MultiDict[str, str]) -> Any:
    allowed = choice_values(q)
    return [v for v in form.getlist(q.id) if v in allowed]


def _shown_rows(q: Question, form: MultiDict[str, str]) -> Any:
    allowed = choice_values(q)
    rows = {str(r.value): form.get(f"{q.id}.{r.value}") for r in q.rows}
    return {row: v if v in allowed else None for row, v in rows.items()}


def _shown_words(q: Question, form: MultiDict[str, str]) -> Any:
    return _shown_text(form.get(q.id), text_limit(q))


def _shown_number(q: Question, form: MultiDict[str, str]) -> Any:
    return _shown_text(form.get(q.id), NUMBER_SHOWN)


def _nothing_shown(q: Question, form: MultiDict[str, str]) -> Any:
    return None  # never asked for: an info text has no answer


def text_limit(q: Question) -> int:
    """The most characters a text question accepts."""
    return q.max_length or MAX_TEXT


def choice_values(q: Question) -> frozenset[str]:
    """Every value a choice, scale, rating or matrix question may post, as posted."""
    if q.kind.points == "range":
        values = {str(v) for v in range(int(q.min or 0), int(q.max or 10) + 1)}
    elif q.scale is not None:
        values = {str(v) for v in q.scale.values} | ({NA} if q.na else set())
    else:
        values = {str(o.value) for o in q.options}
    return frozenset(values | ({OTHER} if q.other else set()))


def _shown_text(raw: str | None, limit: int) -> str | None:
    """`raw` as the browser counted it (a line break is one character), cut to `limit`."""
    return None if raw is None else raw.replace("\r\n", "\n")[:limit]


@dataclass(frozen=True)
class QuestionField:
    """A question type on a page: how its posted answer is read and shown back, and what
    it says when it is required and left unanswered."""

    parse: Parser
    shown: Callable[[Question, MultiDict[str, str]], Any]
    required: Any  # a lazy message, translated when shown


_CHOOSE = _l("Please choose an answer.")
_ANSWER = _l("Please answer this question.")
# Every type of definitions/question_types.py, as a page field.
QUESTION_FIELDS: dict[str, QuestionField] = {
    "single": QuestionField(parse_single, _shown_choice, _CHOOSE),
    "multi": QuestionField(parse_multi, _shown_choices, _l("Please choose at least one option.")),
    "likert": QuestionField(parse_likert, _shown_choice, _CHOOSE),
    "rating": QuestionField(parse_rating, _shown_choice, _CHOOSE),
    "matrix": QuestionField(parse_matrix, _shown_rows, _l("Please answer every row.")),
    "text": QuestionField(parse_text, _shown_words, _ANSWER),
    "number": QuestionField(parse_number, _shown_number, _ANSWER),
    "info": QuestionField(parse_info, _nothing_shown, _ANSWER),
}
