"""Reading typed fields out of YAML nodes, reporting whatever is wrong."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass

from surveyapp.definitions.reporting import Report, hint, nested
from surveyapp.definitions.schema import Option, OptionValue
from surveyapp.definitions.yamlnodes import Map, Node, Scalar, Seq

_EMPTY: Mapping[str, str] = {}


@dataclass
class Context:
    """What field readers need: where problems go and the survey's languages."""

    report: Report
    # Empty when `languages` itself is broken: then translations are not checked.
    languages: tuple[str, ...] = ()
    # A survey's texts may leave out translations (the catalogues under translations/ or
    # the source text stand in; `surveyapp check` reports what is missing): only the
    # source language, the first one, is required. The manual's texts need every language.
    partial: bool = False

    def add(self, line: int, message: str, where: str = "") -> None:
        self.report.add(line, message, where)


def shown(node: Node) -> str:
    """How a value looks in a message."""
    if isinstance(node, Scalar):
        return f"'{node.text}'" if node.value is not None else "nothing"
    return "a list" if isinstance(node, Seq) else "a mapping"


def check_keys(
    m: Map,
    allowed: Collection[str],
    where: str,
    ctx: Context,
    misplaced: Mapping[str, str] = _EMPTY,
) -> None:
    """Report keys of `m` not in `allowed`; `misplaced` gives a message for known keys."""
    for key, entry in m.entries.items():
        if key in allowed:
            continue
        if key in misplaced:
            ctx.add(entry.line, misplaced[key], where)
        else:
            ctx.add(entry.line, f"unknown key '{key}'{hint(key, allowed)}", where)


def require(m: Map, keys: Collection[str], where: str, ctx: Context) -> bool:
    """Report each of `keys` that `m` lacks; True when none is missing."""
    missing = [key for key in keys if key not in m.entries]
    for key in missing:
        ctx.add(m.line, f"'{key}' is missing", where)
    return not missing


def _get_scalar(
    m: Map, key: str, where: str, ctx: Context, accepts: Callable[[Scalar], bool], wanted: str
) -> Scalar | None:
    """The scalar under `key` if `accepts` it, or None when absent or wrong (reported as
    "'key' must be <wanted>")."""
    entry = m.get(key)
    if entry is None:
        return None
    node = entry.value
    if isinstance(node, Scalar) and accepts(node):
        return node
    ctx.add(entry.line, f"'{key}' must be {wanted}, not {shown(node)}", where)
    return None


def _is_bool(node: Scalar) -> bool:
    return isinstance(node.value, bool)


def _is_int(node: Node) -> bool:
    return (
        isinstance(node, Scalar)
        and isinstance(node.value, int)
        and not isinstance(node.value, bool)
    )


def _is_number(node: Scalar) -> bool:
    value = node.value
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_word(node: Scalar) -> bool:
    value = node.value
    return isinstance(value, str | int) and not isinstance(value, bool) and bool(node.text.strip())


def get_bool(m: Map, key: str, where: str, ctx: Context) -> bool | None:
    """`true`/`false`, or None when absent or wrong (reported)."""
    node = _get_scalar(m, key, where, ctx, _is_bool, "true or false")
    return None if node is None else bool(node.value)


def get_int(m: Map, key: str, where: str, ctx: Context) -> int | None:
    """A whole number (never a boolean), or None when absent or wrong (reported)."""
    node = _get_scalar(m, key, where, ctx, _is_int, "a whole number")
    return node.value if node is not None and isinstance(node.value, int) else None


def get_number(m: Map, key: str, where: str, ctx: Context) -> int | float | None:
    """A finite number (never a boolean), or None when absent or wrong (reported)."""
    node = _get_scalar(m, key, where, ctx, _is_number, "a number")
    return node.value if node is not None and isinstance(node.value, int | float) else None


def get_str(m: Map, key: str, where: str, ctx: Context) -> str | None:
    """A word such as an id or a type (a number is taken as written), or None when
    absent or wrong (reported)."""
    node = _get_scalar(m, key, where, ctx, _is_word, "a word")
    return None if node is None else node.text


def get_seq(m: Map, key: str, where: str, ctx: Context) -> Seq | None:
    """A non-empty list, or None when absent or wrong (reported)."""
    entry = m.get(key)
    if entry is None:
        return None
    node = entry.value
    if isinstance(node, Seq) and node.items:
        return node
    if isinstance(node, Seq):
        ctx.add(entry.line, f"'{key}' must not be an empty list", where)
    else:
        ctx.add(entry.line, f"'{key}' must be a list, not {shown(node)}", where)
    return None


def get_text(
    m: Map, key: str, where: str, ctx: Context, required: bool = False
) -> dict[str, str] | None:
    """A text in every survey language: `{lang: text}`, or a plain string in a
    one-language survey. Every missing language is reported separately.

    With `ctx.partial` (a survey) only the source language is needed, and a plain string
    is the source-language text: the translations can come from the catalogues."""
    entry = m.get(key)
    if entry is None:
        if required:
            ctx.add(m.line, f"'{key}' is missing", where)
        return None
    node, langs = entry.value, ctx.languages
    if isinstance(node, Scalar) and node.value is not None:
        if len(langs) == 1 or (langs and ctx.partial):
            return {langs[0]: node.text.strip()} if _text_ok(node, key, where, ctx) else None
        if langs:
            ctx.add(
                entry.line,
                f"'{key}' needs a text per language ({', '.join(langs)}), "
                f"written as {{{langs[0]}: …, {langs[1]}: …}}",
                where,
            )
        return None
    if not isinstance(node, Map):
        ctx.add(entry.line, f"'{key}' must be a text per language, not {shown(node)}", where)
        return None
    texts = _text_map(node, key, where, ctx)
    for lang in langs[:1] if ctx.partial else langs:
        if lang not in node.entries:
            ctx.add(entry.line, f"{key} has no '{lang}' translation", where)
    needed = set(langs[:1] if ctx.partial else langs)
    if len(texts) != len(node.entries) or not needed <= set(texts):
        return None
    # The source language first: localize() falls back to it.
    return {lang: texts[lang] for lang in sorted(texts, key=_order(langs))}


def _order(langs: Sequence[str]) -> Callable[[str], int]:
    return lambda lang: langs.index(lang) if lang in langs else len(langs)


def _text_map(node: Map, key: str, where: str, ctx: Context) -> dict[str, str]:
    texts: dict[str, str] = {}
    for lang, entry in node.entries.items():
        if ctx.languages and lang not in ctx.languages:
            ctx.add(
                entry.line,
                f"{key} has a '{lang}' text, but '{lang}' is not one of the "
                f"survey's languages ({', '.join(ctx.languages)})",
                where,
            )
            continue
        value = entry.value
        if not isinstance(value, Scalar) or value.value is None:
            ctx.add(entry.line, f"the '{lang}' {key} must be a text, not {shown(value)}", where)
        elif _text_ok(value, f"the '{lang}' {key}", where, ctx):
            texts[lang] = value.text.strip()
    return texts


def _text_ok(node: Scalar, name: str, where: str, ctx: Context) -> bool:
    if node.text.strip():
        return True
    ctx.add(node.line, f"{name} is empty", where)
    return False


def option_value(m: Map, where: str, ctx: Context) -> OptionValue | None:
    """An option's `value`: a word or a whole number (not true/false, not 1.5)."""
    entry = m.get("value")
    if entry is None:
        ctx.add(m.line, "'value' is missing", where)
        return None
    node = entry.value
    if isinstance(node, Scalar) and isinstance(node.value, bool):
        ctx.add(
            entry.line,
            f"value {node.text} is read as true/false; write '{node.text}' in quotes or use a word",
            where,
        )
    elif isinstance(node, Scalar) and isinstance(node.value, int | str) and node.text.strip():
        return node.value
    else:
        ctx.add(entry.line, f"value must be a word or a whole number, not {shown(node)}", where)
    return None


def value_label_maps(
    items: Sequence[Node], where_of: Callable[[int], str], ctx: Context
) -> Iterator[tuple[Map, str]]:
    """The `{value, label}` mappings of a list (options, rows, scale points) with where each
    is; anything else is reported, and so are keys other than value and label."""
    for number, item in enumerate(items, start=1):
        item_where = where_of(number)
        if not isinstance(item, Map):
            message = f"must be a mapping {{value: …, label: …}}, not {shown(item)}"
            ctx.add(item.line, message, item_where)
            continue
        check_keys(item, ("value", "label"), item_where, ctx)
        yield item, item_where


def read_options(
    m: Map, key: str, where: str, ctx: Context, reserved: str | None = None
) -> tuple[Option, ...]:
    """A non-empty list of `{value, label}` (options or matrix rows), values unique;
    no value may be `reserved`."""
    seq = get_seq(m, key, where, ctx)
    if seq is None:
        return ()
    kind = "row" if key == "rows" else "option"
    options: list[Option] = []
    seen: dict[str, int] = {}
    for item, item_where in value_label_maps(
        seq.items, lambda n: nested(where, f"{kind} {n}"), ctx
    ):
        value = option_value(item, item_where, ctx)
        label = get_text(item, "label", item_where, ctx, required=True)
        if value is None:
            continue
        if str(value) == reserved:
            ctx.add(
                item.line,
                f"value '{value}' stands for the free-text 'Other' choice "
                "(other: true); give this option another value",
                item_where,
            )
        # Forms send every value as text, so 1 and "1" would be the same answer.
        if str(value) in seen:
            ctx.add(
                item.line,
                f"{kind} value '{value}' is used twice (lines {seen[str(value)]} and {item.line})",
                where,
            )
        seen.setdefault(str(value), item.line)
        if label is not None:
            options.append(Option(value, label))
    return tuple(options) if len(options) == len(seq.items) else ()


LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")


def get_languages(root: Map, ctx: Context) -> tuple[str, ...]:
    """A file's `languages` list; () when any is wrong, so translations go unchecked."""
    seq = get_seq(root, "languages", "", ctx)
    if seq is None:
        return ()
    codes: list[str] = []
    for item in seq.items:
        code = item.text if isinstance(item, Scalar) else ""
        if not LANGUAGE.match(code):
            ctx.add(
                item.line, f"language {shown(item)} is not a language code such as en, fi or sv"
            )
        elif code in codes:
            ctx.add(item.line, f"language '{code}' is listed twice")
        else:
            codes.append(code)
    return tuple(codes) if len(codes) == len(seq.items) else ()
