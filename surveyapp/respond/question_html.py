"""A survey page's questions: each question's markup with the places that show an answer
left open, kept per (question, page language, interface language, hidden) and filled in.

Rendering a page's questions through the Jinja macros was half of a survey page's CPU time
(benchmarks/load). A question's markup differs between respondents only where an answer
shows: ` checked` on a chosen input, and the text in a text box. The macros write those
through `checked_attr` and `shown_answer`; while a question's skeleton is rendered (with no
answers at all) they write numbered markers instead, and the markup is kept cut at them. So
the cache holds the definition's text and never an answer (benchmarks/README.md, "Caches").
Pages with errors are rendered whole: their markup depends on the messages.

The marker is a random word drawn when the worker starts, of letters and digits only, so
HTML escaping leaves it as it is and no survey text can contain it.
"""

from __future__ import annotations

import re
import secrets
import weakref
from collections.abc import Callable, Container, Mapping, Sequence
from contextvars import ContextVar
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup, escape

from ..caching import ByteBoundedCache, text_bytes
from ..definitions import Question

_MARK = "answer" + secrets.token_hex(12)
_SLOT = re.compile(_MARK + "([0-9]+)z")


class Slot(NamedTuple):
    """A place in a question's markup that shows an answer of field `name`: ` checked` or
    nothing on the input of `option`, or (option None) the text in its box."""

    name: str
    option: str | None


class Skeleton(NamedTuple):
    question: weakref.ref[Question]  # the entry does not keep a definition alive
    texts: list[str]  # the markup between the slots: one more than there are slots
    slots: list[Slot]


def _size(key: tuple[Any, ...], value: Skeleton) -> int:
    """The markup, and about what the slots, the lists and the key take."""
    return text_bytes(value.texts) + 120 * len(value.slots) + 8 * len(value.texts) + 300


# About 1-3 kB per question and language: a survey of 100 questions in three languages, shown
# and hidden, is about 1.5 MB.
MAX_BYTES = 16 * 1024 * 1024
_cache: ByteBoundedCache[tuple[Any, ...], Skeleton] = ByteBoundedCache(MAX_BYTES)
_recording: ContextVar[list[Slot] | None] = ContextVar("question_slots", default=None)


def checked_attr(name: str, option: object, is_checked: bool) -> str:
    """` checked` on the input of `option` of field `name` if it is chosen."""
    slots = _recording.get()
    if slots is None:
        return " checked" if is_checked else ""
    return _marker(slots, Slot(name, str(option)))


def shown_answer(name: str, text: Any) -> Any:
    """The text shown in the box of field `name` (escaped by Jinja as any value)."""
    slots = _recording.get()
    if slots is None:
        return text
    return Markup(_marker(slots, Slot(name, None)))


def _marker(slots: list[Slot], slot: Slot) -> str:
    slots.append(slot)
    return f"{_MARK}{len(slots) - 1}z"


def questions_html(
    questions: Sequence[Question],
    lang: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    shown: Container[str],
) -> Markup:
    """The markup of a page's questions, those not in `shown` hidden, in one call."""
    macro = _macro()
    locale = str(get_locale())
    html = []
    for q in questions:
        hidden = q.id not in shown
        if errors:
            html.append(_whole(macro, q, lang, values, errors, hidden))
        else:
            html.append(_from_skeleton(macro, q, lang, locale, values, hidden))
    return Markup("\n").join(html)


def _from_skeleton(
    macro: Callable[..., Any],
    q: Question,
    lang: str,
    locale: str,
    values: Mapping[str, Any],
    hidden: bool,
) -> Markup:
    return _filled(_skeleton(macro, q, lang, locale, hidden), q, values)


def _whole(
    macro: Callable[..., Any],
    q: Question,
    lang: str,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    hidden: bool,
) -> Markup:
    return Markup(macro(q, lang, values=values, errors=errors, hidden=hidden))


def _skeleton(
    macro: Callable[..., Any], q: Question, lang: str, locale: str, hidden: bool
) -> Skeleton:
    key = (id(q), lang, locale, hidden)
    found = _cache.get(key)
    if found is not None and found.question() is q:
        return found
    slots: list[Slot] = []
    recording = _recording.set(slots)
    try:
        markup = str(_whole(macro, q, lang, {}, {}, hidden))
    finally:
        _recording.reset(recording)
    parts = _SLOT.split(markup)
    skeleton = Skeleton(weakref.ref(q), parts[0::2], [slots[int(i)] for i in parts[1::2]])
    _cache.put(key, skeleton, _size(key, skeleton))
    return skeleton


def _filled(skeleton: Skeleton, q: Question, values: Mapping[str, Any]) -> Markup:
    """The question's markup for `values`, as the macro would render it."""
    chosen: dict[str, set[str]] = {}
    html = [skeleton.texts[0]]
    for slot, text in zip(skeleton.slots, skeleton.texts[1:], strict=True):
        if slot.option is None:
            html.append(str(escape(_text_shown(q, slot.name, values))))
        else:
            if slot.name not in chosen:
                chosen[slot.name] = _chosen(q, slot.name, values)
            html.append(" checked" if slot.option in chosen[slot.name] else "")
        html.append(text)
    return Markup("".join(html))


def _text_shown(q: Question, name: str, values: Mapping[str, Any]) -> Any:
    """What the macros write in a text box (_macros/questions.html)."""
    value = values.get(name)
    if q.kind.typed == "number" and name == q.id:
        return "" if value is None else value
    return value or ""


def _chosen(q: Question, name: str, values: Mapping[str, Any]) -> set[str]:
    """The options the macros mark as chosen for field `name` (_macros/questions.html)."""
    value: Any
    if name != q.id:  # a matrix row: "<question>.<row>"
        rows = values.get(q.id)
        value = rows.get(name[len(q.id) + 1 :]) if isinstance(rows, Mapping) else None
    else:
        value = values.get(q.id)
        if q.kind.is_choice and _is_collection(value):
            return {str(v) for v in value}
    return set() if value is None else {str(value)}


def _is_collection(value: Any) -> bool:
    """Jinja's `value is iterable and value is not string and value is not mapping`."""
    if isinstance(value, str | Mapping):
        return False
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _macro() -> Callable[..., Any]:
    template = current_app.jinja_env.get_template("_macros/questions.html")
    return template.module.question  # type: ignore[attr-defined,no-any-return]
