"""A survey page's questions, rendered once per (question, language, answer) and reused.

A page of 35 questions rendered through Jinja macros was half of a survey page's CPU time
(benchmarks/load). The markup of a question depends only on the frozen definition, the
page and interface languages, the answer shown and whether it is hidden, so the same
inputs give the same HTML for every respondent. Pages with errors are rendered afresh:
they are rare, and their markup depends on the messages.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from typing import Any

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from ..definitions import Question
from ..definitions.evaluation import answer_key

# Bounded so free-text answers (part of the key of their question) cannot grow it for
# ever; at the bound the cache starts again, which costs one render per entry.
MAX_ENTRIES = 20_000
_cache: dict[tuple[Any, ...], tuple[Question, Markup]] = {}


def questions_html(
    questions: Sequence[Question],
    lang: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    shown: Container[str],
) -> Markup:
    """The markup of a page's questions, those not in `shown` hidden, in one call."""
    locale = str(get_locale())
    return Markup("\n").join(
        question_html(q, lang, values, errors, q.id not in shown, locale) for q in questions
    )


def question_html(
    question: Question,
    lang: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    hidden: bool,
    locale: str,
) -> Markup:
    """The question's markup (the `question` macro of _macros/questions.html); `locale` is
    the interface language."""
    if errors:
        return _render(question, lang, values, errors, hidden)
    key = (
        id(question),
        lang,
        locale,
        hidden,
        answer_key(values.get(question.id)),
        answer_key(values.get(question.id + ".other")),
    )
    found = _cache.get(key)
    # The definition is kept alive by the entry, so its id cannot be reused meanwhile.
    if found is not None and found[0] is question:
        return found[1]
    markup = _render(question, lang, values, errors, hidden)
    if len(_cache) >= MAX_ENTRIES:
        _cache.clear()
    _cache[key] = (question, markup)
    return markup


def _render(
    question: Question,
    lang: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    hidden: bool,
) -> Markup:
    macro = _macro()
    return Markup(macro(question, lang, values=values, errors=errors, hidden=hidden))


def _macro() -> Callable[..., Any]:
    template = current_app.jinja_env.get_template("_macros/questions.html")
    return template.module.question  # type: ignore[attr-defined,no-any-return]
