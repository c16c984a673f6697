"""Safe YAML reading: bytes → a tree of nodes that remember their line.

PyYAML's loaders turn YAML into Python values and lose the lines, keep the
last of two duplicate keys, read `no`/`yes`/`on`/`off` as booleans (YAML 1.1)
and expand aliases. We use only PyYAML's parser (libyaml's when present, for
speed) and build the tree ourselves from its events, so that:

* every node carries its 1-based line;
* anchors, aliases and explicit tags (`!!python/object`, `!foo`, `!!str`) are
  reported and never constructed or expanded (the alias bomb costs nothing);
  a file that has any is not checked further, as its meaning is unknown;
* duplicate keys are reported with both lines;
* plain scalars are resolved with YAML 1.2's core schema: only
  `true`/`false` are booleans, so the language code `no` stays a string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeAlias

import yaml

from surveyapp.definitions.reporting import Report

MAX_BYTES = 1_048_576
MAX_DEPTH = 64
ALIAS_MESSAGE = "anchors and aliases are not allowed (&name, *name); write the content out"

Value: TypeAlias = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Scalar:
    """A single value; `text` is what the file says, `value` what it means."""

    value: Value
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple[Node, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Entry:
    """One `key: value` of a mapping; `line` is the key's line."""

    key: str
    line: int
    value: Node


@dataclass(frozen=True, slots=True)
class Map:
    entries: dict[str, Entry]
    line: int

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)


Node: TypeAlias = Scalar | Seq | Map

# YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution).
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


def resolve_plain(text: str) -> Value:
    """The value of an unquoted scalar under YAML 1.2's core schema."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    try:
        if _INT.match(text):
            return int(text)
        if _OCT.match(text):
            return int(text[2:], 8)
        if _HEX.match(text):
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts: leave it as text
        return text
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def decode(data: bytes, report: Report) -> str | None:
    """UTF-8 text of a file's bytes (BOM allowed), or None with a problem."""
    if len(data) > MAX_BYTES:
        report.add(
            1, f"the file is larger than 1 MB ({MAX_BYTES:,} bytes), the most a survey file may be"
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        report.add(
            line, f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8"
        )
        return None
    return text


def _events(text: str) -> Iterator[yaml.Event]:
    # yaml.parse only scans and parses: nothing is composed or constructed. PyYAML's
    # wheels bundle libyaml; the fallback Python parser is several times slower and
    # (YAML 1.1) ends a plain word at '?' inside {...}: `{en: Clear?}` fails only there.
    loader: type[yaml.SafeLoader] | type[yaml.CSafeLoader]
    loader = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    return yaml.parse(text, Loader=loader)


# What YAML allows in a file (YAML 1.1 §5.1). We look for it ourselves because
# libyaml counts error positions in bytes and the Python reader in characters.
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def parse(text: str, report: Report) -> Node | None:
    """The node tree of `text`, or None when it cannot be read; problems go to `report`."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        report.add(1, f"the text is longer than {MAX_BYTES:,} bytes (1 MB)")
        return None
    text = text.removeprefix("\ufeff")
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        report.add(
            text.count("\n", 0, bad.start()) + 1,
            f"the character U+{ord(bad.group()):04X} is not allowed in a YAML file",
        )
        return None
    builder = _Builder(report)
    try:
        root = builder.build(_events(text))
    except yaml.MarkedYAMLError as exc:
        report.add(_mark_line(exc), _syntax_message(exc))
        return None
    except yaml.YAMLError as exc:  # any other parser complaint, without a mark
        report.add(1, f"YAML syntax error: {exc}")
        return None
    if builder.refused:
        return None  # what an alias or tag stands for is unknown: checking more is guesswork
    if root is None and not report:
        report.add(1, "the file is empty")
    return root


def _mark_line(exc: yaml.MarkedYAMLError) -> int:
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark is not None else 1


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or "the file cannot be read"
    if not exc.context:
        return f"YAML syntax error: {problem}"
    context = exc.context
    start, stop = exc.context_mark, exc.problem_mark
    if start is not None and stop is not None and start.line != stop.line:
        context += f" (which starts on line {start.line + 1})"
    return f"YAML syntax error {context}: {problem}"


@dataclass
class _Frame:
    line: int
    items: list[Node] = field(default_factory=list)
    entries: dict[str, Entry] | None = None  # set for mappings
    key: Scalar | None = None
    bad_key: bool = False


class _Builder:
    """Builds nodes from parser events without recursion."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.stack: list[_Frame] = []
        self.root: Node | None = None
        self.documents = 0
        self.alias_lines: set[int] = set()
        self.refused = False  # an anchor, alias or tag was found

    def build(self, events: Iterable[yaml.Event]) -> Node | None:
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                self._document(event)
            elif isinstance(
                event, yaml.NodeEvent | yaml.CollectionEndEvent
            ) and not self._node_event(event):
                return None
        return self.root

    def _document(self, event: yaml.DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents == 2:
            self.report.add(
                _line(event), "a survey file holds one YAML document; remove the second '---'"
            )

    def _node_event(self, event: yaml.Event) -> bool:
        line = _line(event)
        if isinstance(event, yaml.CollectionEndEvent):
            frame = self.stack.pop()
            if frame.entries is None:
                self._attach(Seq(tuple(frame.items), frame.line))
            else:
                self._attach(Map(frame.entries, frame.line))
            return True
        self._check_safety(event, line)
        if isinstance(event, yaml.ScalarEvent):
            self._attach(_scalar(event, line))
        elif isinstance(event, yaml.AliasEvent):
            self._attach(Scalar(None, "", line))
        elif isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                self.report.add(line, f"the file is nested more than {MAX_DEPTH} levels deep")
                return False
            is_map = isinstance(event, yaml.MappingStartEvent)
            self.stack.append(_Frame(line, entries={} if is_map else None))
        return True

    def _check_safety(self, event: yaml.Event, line: int) -> None:
        anchor = getattr(event, "anchor", None)
        if (
            anchor is not None or isinstance(event, yaml.AliasEvent)
        ) and line not in self.alias_lines:
            self.alias_lines.add(line)  # one report per line: the bomb has dozens
            self.report.add(line, ALIAS_MESSAGE)
            self.refused = True
        tag = getattr(event, "tag", None)
        if tag is not None and not isinstance(event, yaml.AliasEvent):
            self.refused = True
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self.report.add(
                line,
                f"YAML tags like '{shown}' are not allowed; remove the tag and write a plain value",
            )

    def _attach(self, node: Node) -> None:
        if not self.stack:
            if self.documents <= 1:
                self.root = node
            return
        frame = self.stack[-1]
        if frame.entries is None:
            frame.items.append(node)
        elif frame.key is None and not frame.bad_key:
            self._take_key(frame, node)
        else:
            self._take_value(frame, node)

    def _take_key(self, frame: _Frame, node: Node) -> None:
        if isinstance(node, Scalar):
            frame.key = node
        else:
            frame.bad_key = True
            self.report.add(node.line, "a key must be a plain word, not a list or mapping")

    def _take_value(self, frame: _Frame, node: Node) -> None:
        key, frame.key, frame.bad_key = frame.key, None, False
        if key is None or frame.entries is None:
            return
        first = frame.entries.get(key.text)
        if first is not None:
            self.report.add(
                key.line,
                f"key '{key.text}' appears twice in the same mapping "
                f"(lines {first.line} and {key.line})",
            )
            return
        frame.entries[key.text] = Entry(key.text, key.line, node)


def _line(event: yaml.Event) -> int:
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _scalar(event: yaml.ScalarEvent, line: int) -> Scalar:
    plain = event.tag is None and event.implicit[0]
    value = resolve_plain(event.value) if plain else event.value
    return Scalar(value, event.value, line)


def plain(node: Node | None) -> object:
    """The node as plain Python data (dicts, lists, scalars), e.g. for JSON Schema checks."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Seq):
        return [plain(item) for item in node.items]
    return {key: plain(entry.value) for key, entry in node.entries.items()}
