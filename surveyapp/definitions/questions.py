"""Reading one question of a survey definition, per type."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypedDict

from surveyapp.definitions.conditions import Located, parse_condition
from surveyapp.definitions.fields import (
    Context,
    check_keys,
    get_bool,
    get_int,
    get_number,
    get_str,
    get_text,
    read_options,
    require,
    shown,
)
from surveyapp.definitions.option_lists import OPTION_LISTS, SORTS, country_options
from surveyapp.definitions.question_types import QUESTION_KINDS, QUESTION_TYPES
from surveyapp.definitions.reporting import hint, nested, one_of
from surveyapp.definitions.scales import BUILTIN_SCALES, for_languages, missing_languages
from surveyapp.definitions.schema import (
    OTHER_VALUE,
    LangText,
    Option,
    Question,
    Scale,
)
from surveyapp.definitions.yamlnodes import Map, Node

QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
COMMON_KEYS = ("id", "type", "text", "help", "required", "show_if", "topic")
TYPE_KEYS = {kind.name: kind.keys for kind in QUESTION_KINDS.values()}
REQUIRED_KEYS = {kind.name: kind.required_keys for kind in QUESTION_KINDS.values()}
# A question without an answer reads only these.
INFO_KEYS = ("id", "type", "text", "show_if", "topic")
MAX_TEXT_LENGTH = 100_000
MAX_RATING_POINTS = 101  # 0 to 100; each point is a radio button on the page
ALL_KEYS = tuple(dict.fromkeys(COMMON_KEYS + sum(TYPE_KEYS.values(), ())))


class TypeFields(TypedDict, total=False):
    """The Question fields one type reads beyond the common ones."""

    options: tuple[Option, ...]
    other: bool
    sort: str | None
    options_from: str | None
    min_choices: int | None
    max_choices: int | None
    scale: Scale | None
    na: bool
    rows: tuple[Option, ...]
    min: float | None
    max: float | None
    min_label: LangText | None
    max_label: LangText | None
    integer: bool
    multiline: bool
    max_length: int


@dataclass
class SurveyContext(Context):
    """A Context that also knows the survey's own scales."""

    scales: dict[str, Scale] = field(default_factory=dict)
    # Every name under `scales`, also those whose points have problems (reported there).
    scale_names: set[str] = field(default_factory=set)
    # Built-in scales restricted to the survey's languages, made once per survey.
    builtins: dict[str, Scale] = field(default_factory=dict)
    # The manual's chapters with their topics' ids; None when there is no manual to check.
    chapters: dict[str, tuple[str, ...]] | None = None
    chapter: str | None = None  # the chapter of the section being read


def read_question(node: Node, section_where: str, ctx: SurveyContext) -> Located | None:
    """Read one question; None when it has no usable id (its problems are reported)."""
    if not isinstance(node, Map):
        ctx.add(
            node.line,
            f"a question must be a mapping with id, type and text, not {shown(node)}",
            section_where,
        )
        return None
    qid = get_str(node, "id", section_where, ctx)
    where = nested(section_where, f"question '{qid}'" if qid else f"question on line {node.line}")
    if qid is not None and not QUESTION_ID.match(qid):
        ctx.add(
            node.entries["id"].line,
            f"question id '{qid}' must start with a letter a-z and use only a-z, 0-9 and '_'",
            section_where,
        )
    qtype = _question_type(node, where, ctx)
    _check_question_keys(node, qtype, where, ctx)
    question = _common(node, qid or "", qtype, where, ctx)
    if question is not None and qtype is not None:
        question = replace(question, **READERS[qtype](node, where, ctx))
    return Located(qid, question, where, node.line) if qid is not None else None


def _question_type(node: Map, where: str, ctx: SurveyContext) -> str | None:
    qtype = get_str(node, "type", where, ctx)
    if qtype is None or qtype in QUESTION_TYPES:
        return qtype
    close = hint(qtype, QUESTION_TYPES)
    known = close or f" (the types are {one_of(QUESTION_TYPES)})"
    ctx.add(node.entries["type"].line, f"unknown question type '{qtype}'{known}", where)
    return None


def _check_question_keys(node: Map, qtype: str | None, where: str, ctx: SurveyContext) -> None:
    require(node, ("id", "type", "text", *REQUIRED_KEYS.get(qtype or "", ())), where, ctx)
    if qtype is None:
        check_keys(node, ALL_KEYS, where, ctx)
        return
    has_answer = QUESTION_KINDS[qtype].has_answer
    allowed = COMMON_KEYS + TYPE_KEYS[qtype] if has_answer else INFO_KEYS
    misplaced = {key: _not_for_type(key, qtype) for key in ALL_KEYS if key not in allowed}
    check_keys(node, allowed, where, ctx, misplaced)


def _not_for_type(key: str, qtype: str) -> str:
    if key == "help":
        return f"'help' is not allowed for type {qtype}; put all of its text in 'text'"
    if key in COMMON_KEYS:
        return f"'{key}' is not allowed for type {qtype} (an info text has no answer)"
    owners = [t for t, keys in TYPE_KEYS.items() if key in keys]
    return f"'{key}' is not allowed for type {qtype} (only for {one_of(owners)})"


def _common(
    node: Map, qid: str, qtype: str | None, where: str, ctx: SurveyContext
) -> Question | None:
    text = get_text(node, "text", where, ctx)
    help_text = get_text(node, "help", where, ctx)
    required = get_bool(node, "required", where, ctx)
    entry = node.get("show_if")
    show_if = parse_condition(entry.value, where, ctx) if entry is not None else None
    topic = _topic(node, where, ctx)
    if qtype is None:
        return None
    return Question(
        id=qid,
        type=qtype,  # type: ignore[arg-type]  # checked above
        text=text or {},
        help=help_text,
        required=bool(required),
        show_if=show_if,
        topic=topic,
        line=node.line,
    )


def _topic(node: Map, where: str, ctx: SurveyContext) -> str | None:
    """The question's manual topic, which must be one of its section's chapter."""
    topic = get_str(node, "topic", where, ctx)
    if topic is None:
        return None
    line = node.entries["topic"].line
    if ctx.chapter is None:
        ctx.add(line, "a question can have a topic only in a section with a chapter", where)
        return None
    topics = ctx.chapters.get(ctx.chapter) if ctx.chapters is not None else None
    if topics is None or topic in topics:
        return topic
    known = hint(topic, topics) or (
        f" (the topics of '{ctx.chapter}' are {one_of(topics)})" if topics else ""
    )
    ctx.add(line, f"unknown topic '{topic}' of chapter '{ctx.chapter}'{known}", where)
    return None


def _line(node: Map, key: str) -> int:
    entry = node.get(key)
    return entry.line if entry is not None else node.line


def _choice(node: Map, where: str, ctx: SurveyContext) -> TypeFields:
    other = bool(get_bool(node, "other", where, ctx))
    sort = _one_of(node, "sort", SORTS, where, ctx)
    source = _one_of(node, "options_from", OPTION_LISTS, where, ctx)
    if "options_from" in node.entries and "options" in node.entries:
        ctx.add(
            _line(node, "options_from"),
            "give either 'options' or 'options_from', not both",
            where,
        )
        return {"options": (), "other": other, "sort": sort, "options_from": source}
    if "options_from" in node.entries:
        options = country_options(ctx.languages) if source == "countries" else ()
        # A list named by its source reads best in alphabetical order.
        return {"options": options, "other": other, "sort": "alphabetical", "options_from": source}
    if "options" not in node.entries:
        ctx.add(node.line, "'options' is missing", where)
        return {"options": (), "other": other, "sort": sort, "options_from": None}
    options = read_options(node, "options", where, ctx, reserved=OTHER_VALUE if other else None)
    return {"options": options, "other": other, "sort": sort, "options_from": None}


def _one_of(
    node: Map, key: str, allowed: tuple[str, ...], where: str, ctx: SurveyContext
) -> str | None:
    value = get_str(node, key, where, ctx)
    if value is None or value in allowed:
        return value
    ctx.add(_line(node, key), f"'{key}' must be {one_of(allowed)}, not '{value}'", where)
    return None


def _multi(node: Map, where: str, ctx: SurveyContext) -> TypeFields:
    fields = _choice(node, where, ctx)
    low = get_int(node, "min_choices", where, ctx)
    high = get_int(node, "max_choices", where, ctx)
    count = len(fields["options"]) + fields["other"] if fields["options"] else 0
    if low is not None and low < 0:
        ctx.add(_line(node, "min_choices"), "'min_choices' cannot be negative", where)
    if high is not None and high < 1:
        ctx.add(_line(node, "max_choices"), "'max_choices' must be at least 1", where)
    if low is not None and high is not None and low > high:
        ctx.add(
            _line(node, "min_choices"),
            f"'min_choices' ({low}) is more than 'max_choices' ({high})",
            where,
        )
    for key, value in (("min_choices", low), ("max_choices", high)):
        if value is not None and count and value > count:
            ctx.add(
                _line(node, key),
                f"'{key}' ({value}) is more than the {count} choices the question offers",
                where,
            )
    return {**fields, "min_choices": low, "max_choices": high}


def _scale(node: Map, where: str, ctx: SurveyContext) -> Scale | None:
    name = get_str(node, "scale", where, ctx)
    if name is None:
        return None
    if name in ctx.scales:
        return ctx.scales[name]
    if name in ctx.scale_names:
        return None  # the survey defines it, with problems reported where it is defined
    if name not in BUILTIN_SCALES:
        names = list(dict.fromkeys([*BUILTIN_SCALES, *ctx.scale_names]))
        known = hint(name, names) or f" (the scales are {one_of(names)})"
        ctx.add(_line(node, "scale"), f"unknown scale '{name}'{known}", where)
        return None
    if name not in ctx.builtins:
        builtin = BUILTIN_SCALES[name]
        missing = missing_languages(builtin, ctx.languages)
        if missing:  # reported once, where the scale is first used
            ctx.add(
                _line(node, "scale"),
                f"the built-in scale '{name}' has no labels in "
                f"{one_of(missing)}; define your own scale under "
                "'scales' with labels in every survey language",
                where,
            )
        ctx.builtins[name] = for_languages(builtin, ctx.languages)
    return ctx.builtins[name]


def _likert(node: Map, where: str, ctx: SurveyContext) -> TypeFields:
    return {"scale": _scale(node, where, ctx), "na": bool(get_bool(node, "na", where, ctx))}


def _matrix(node: Map, where: str, ctx: SurveyContext) -> TypeFields:
    return {"rows": read_options(node, "rows", where, ctx), "scale": _scale(node, where, ctx)}


def _rating(node: Map, where: str, ctx: SurveyContext) -> TypeFields:
    low = get_int(node, "min", where, ctx)
    high = get_int(node, "max", where, ctx)
    if low is not None and high is not None:
        if low >= high:
            ctx.add(_line(node, "min"), f"'min' ({low}) must be less than 'max' ({high})", where)
        elif high - low + 1 > MAX_RATING_POINTS:
            ctx.add(
                _line(node, "max"),
                f"a rating from {low} to {high} has {high - low + 1} "
                f"points; at most {MAX_RATING_POINTS} are allowed",
                where,
            )
    return {
        "min": low,
        "max": high,
        "min_label": get_text(node, "min_label", where, ctx),
        "max_label": get_text(node, "max_label", where, ctx),
    }


def _number(node: Map, where: str, ctx: SurveyContext) -> TypeFields:
    low = get_number(node, "min", where, ctx)
    high = get_number(node, "max", where, ctx)
    integer = bool(get_bool(node, "integer", where, ctx))
    if low is not None and high is not None and low > high:
        ctx.add(_line(node, "min"), f"'min' ({low:g}) is more than 'max' ({high:g})", where)
    for key, value in (("min", low), ("max", high)):
        if integer and value is not None and not float(value).is_integer():
            ctx.add(
                _line(node, key),
                f"'{key}' ({value:g}) must be a whole number when integer: true",
                where,
            )
    return {"min": low, "max": high, "integer": integer}


def _text(node: Map, where: str, ctx: SurveyContext) -> TypeFields:
    multiline = bool(get_bool(node, "multiline", where, ctx))
    length = get_int(node, "max_length", where, ctx)
    if length is not None and not 1 <= length <= MAX_TEXT_LENGTH:
        ctx.add(
            _line(node, "max_length"),
            f"'max_length' must be from 1 to {MAX_TEXT_LENGTH:,}, not {length}",
            where,
        )
    if length is None:
        length = 4000 if multiline else 200
    return {"multiline": multiline, "max_length": length}


def _info(node: Map, where: str, ctx: SurveyContext) -> TypeFields:
    return {}


# The type's own fields, read per type; every type of question_types.py has one.
READERS: dict[str, Callable[[Map, str, SurveyContext], TypeFields]] = {
    "single": _choice,
    "multi": _multi,
    "likert": _likert,
    "rating": _rating,
    "matrix": _matrix,
    "text": _text,
    "number": _number,
    "info": _info,
}
