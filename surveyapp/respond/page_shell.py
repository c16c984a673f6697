"""A survey page's markup around its questions, rendered once and reused (benchmarks/load).

The rest of a survey page around its questions — the layout, title, progress, language
switcher and buttons, with their translations — was a large part of its CPU time. That
markup depends only on the frozen definition, the section, the page and interface
languages, the page's number among the pages shown and whether the respondent came from the
review page. What differs between respondents (the link in every URL, the form token, which
questions show, the answers the page's script reads, the questions' markup) is rendered as
a slot marker, cut out, and filled in per request: the cache holds no respondent's data.
Pages with errors or a notice are rendered whole: they are rare, and their markup depends
on the messages.

The marker is a random word drawn when the worker starts, of letters and digits only,
so URL building and HTML escaping leave it as it is and no survey text can contain it.
"""

from __future__ import annotations

import re
import secrets
import weakref
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from flask import current_app, render_template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from ..caching import ByteBoundedCache, text_bytes

_MARK = "slot" + secrets.token_hex(12)
SLOT_NAMES = ("token", "csrf", "shown", "answers", "questions")
_SLOT = re.compile("(" + "|".join(SLOT_NAMES) + ")" + _MARK)
# A token is filled in raw where url_for would have quoted it: only URL-safe ones qualify.
_PLAIN_TOKEN = re.compile(r"[A-Za-z0-9_-]+")

# Pieces alternate: text, slot name, text, … Keyed by the definition's id too; the entry
# holds only a weak reference to it (the snapshot cache owns definitions and counts their
# size), so an id reused by another object is told apart. A page's shell is about 10 kB.
MAX_BYTES = 8 * 1024 * 1024
Shell = tuple["weakref.ref[Any]", list[str]]


def _size(key: tuple[Hashable, ...], value: Shell) -> int:
    """The pieces, the list holding them and about what the key's few strings take."""
    return text_bytes(value[1]) + 8 * len(value[1]) + 100 * len(key)


_cache: ByteBoundedCache[tuple[Hashable, ...], Shell] = ByteBoundedCache(MAX_BYTES)


def marker(slot: str) -> str:
    """The text standing for `slot` while the shell is rendered."""
    assert slot in SLOT_NAMES, slot
    return slot + _MARK


def can_fill(token: str) -> bool:
    return _PLAIN_TOKEN.fullmatch(token) is not None


def render(
    template: str,
    owner: object,
    key: tuple[Hashable, ...],
    shell_context: Callable[[], Mapping[str, Any]],
    slots: Mapping[str, str],
) -> str:
    """`template` rendered with `shell_context()` (whose per-respondent values are markers),
    cached under (`owner`, `key`), with each slot's marker replaced by `slots[name]`.

    Slot values are inserted as they are: the caller escapes them as the template would.
    """
    full_key = (template, id(owner), *key)
    found = _cache.get(full_key)
    if found is not None and found[0]() is owner:
        pieces = found[1]
    else:
        pieces = _SLOT.split(render_template(template, **shell_context()))
        shell = (weakref.ref(owner), pieces)
        _cache.put(full_key, shell, _size(full_key, shell))
    return "".join(slots[piece] if i % 2 else piece for i, piece in enumerate(pieces))


def escaped(text: str) -> str:
    """`text` as Jinja's autoescape would write it."""
    return str(escape(text))


def markup(slot: str) -> Markup:
    """A marker that Jinja writes unescaped (for values that are Markup themselves)."""
    return Markup(marker(slot))


def tojson(value: Any) -> Markup:
    """`value` as Jinja's `tojson` filter writes it (safe inside an HTML attribute)."""
    policies = current_app.jinja_env.policies
    dumps = policies["json.dumps_function"]
    return htmlsafe_json_dumps(value, dumps=dumps, **policies["json.dumps_kwargs"])
