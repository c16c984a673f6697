"""Python helpers the question macros call (templates/_macros/questions.html): a question's
show/hide condition as JSON, its aria-describedby attribute, and its choice inputs.

They are template globals (surveyapp.app), called once per question or matrix row, because
one Python call is much cheaper than a Jinja loop over the options.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup, escape

from ..definitions.schema import (
    AllOf,
    AnyOf,
    Condition,
    LangText,
    Not,
    Option,
    Question,
    localize,
    localized_language,
)

# checked(name, option value, is it chosen) -> " checked" or "": the respondent pages pass
# one that can leave the answer out of markup kept in a cache (surveyapp.app).
CheckedAttr = Callable[[str, object, bool], str]


def show_if_json(question: Question) -> str:
    """The question's condition as JSON, for the progressive show/hide script."""
    return json.dumps(condition_data(question.show_if)) if question.show_if else ""


def described(question: Question, error: Any, extra: Sequence[str] = ()) -> Markup:
    """A question's ` aria-describedby` attribute: `extra` ids, its hint, its error message."""
    ids = list(extra)
    if question.help:
        ids.append(f"q-{question.id}-help")
    if error:
        ids.append(f"q-{question.id}-error")
    return Markup(' aria-describedby="{}"').format(" ".join(ids)) if ids else Markup("")


_CHOICE = (
    '  <div class="choice">\n'
    '    <input type="{kind}" id="{oid}" name="{name}" value="{value}"{checked}{disabled}{extra}>\n'
    '    <label for="{oid}">{label}</label>\n'
    "  </div>\n"
)


def survey_text(text: LangText | None, lang: str, fallback: str = "en") -> Markup:
    """A survey text in `lang`, escaped; when it is not translated into `lang` and shows in
    another language, wrapped in a span that says which (WCAG 3.1.2), so a screen reader
    reads it in that language. For element content only, never inside an attribute."""
    shown = localize(text, lang, fallback)
    used = localized_language(text, lang, fallback)
    if used == lang:
        return escape(shown)
    return Markup('<span lang="{}">{}</span>').format(used, shown)


def choice_inputs(
    lang: str,
    name: str,
    options: Sequence[Option],
    selected: Sequence[str],
    kind: str,
    disabled: bool,
    *,
    checked: CheckedAttr,
    required: bool = False,
    invalid: bool = False,
) -> Markup:
    """The radio buttons or checkboxes of a question (or matrix row), one per option.

    Input ids are `q-<name with - for .>-<1-based position>`; `selected` holds the chosen
    values as strings. Every value and label is escaped; ` checked` comes from `checked`,
    so that a question's markup can be kept without its answer. `required` (radio buttons
    only: one of the group must be chosen) and `invalid` (the question has an error) are
    exposed to assistive technology.
    """
    prefix = "q-" + name.replace(".", "-") + "-"
    chosen = {str(v) for v in selected}
    name_html, kind_html = escape(name), escape(kind)
    disabled_html = " disabled" if disabled else ""
    extra = (" required" if required and kind == "radio" else "") + (
        ' aria-invalid="true"' if invalid else ""
    )
    parts = ['<div class="choices">\n']
    for position, option in enumerate(options, 1):
        value = str(option.value)
        parts.append(
            _CHOICE.format(
                kind=kind_html,
                oid=escape(f"{prefix}{position}"),
                name=name_html,
                value=escape(value),
                checked=checked(name, value, value in chosen),
                disabled=disabled_html,
                extra=extra,
                label=survey_text(option.label, lang),
            )
        )
    parts.append("</div>")
    return Markup("".join(parts))


def condition_data(condition: Condition) -> dict[str, Any]:
    """A condition back in the plain-data shape of the YAML format."""
    if isinstance(condition, AllOf):
        return {"all": [condition_data(c) for c in condition.conditions]}
    if isinstance(condition, AnyOf):
        return {"any": [condition_data(c) for c in condition.conditions]}
    if isinstance(condition, Not):
        return {"not": condition_data(condition.condition)}
    value = list(condition.value) if isinstance(condition.value, tuple) else condition.value
    return {"question": condition.question, condition.op: value}
