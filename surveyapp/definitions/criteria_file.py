"""Reading criteria/<id>.yaml with the strict loader: every problem with its file and line.

The format is in docs/peer-review.md ("Criteria sets"). Chapters and topics are checked
against the manual's revision the set names, when a manual is given.
"""

from __future__ import annotations

import re
from pathlib import Path

from surveyapp.definitions.criteria import CriteriaSet, Criterion, Level
from surveyapp.definitions.fields import (
    Context,
    check_keys,
    get_languages,
    get_seq,
    get_str,
    get_text,
    require,
    shown,
    value_label_maps,
)
from surveyapp.definitions.manual import Manual, Revision, revision_key
from surveyapp.definitions.reporting import Report, hint
from surveyapp.definitions.schema import LangText
from surveyapp.definitions.yamlnodes import MAX_BYTES, Entry, Map, Node, Scalar, Seq, decode, parse
from surveyapp.errors import DefinitionError, Problem

SET_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CRITERION_ID = re.compile(r"^[a-z0-9_]+$")
REVISION_ID = re.compile(r"^[0-9A-Za-z]+([.\-_][0-9A-Za-z]+)*$")
TOP_KEYS = ("id", "title", "manual_revision", "languages", "scale", "criteria")
CRITERION_KEYS = ("id", "chapter", "topic", "text", "guidance", "levels", "continues")
REQUIRED_CRITERION_KEYS = ("id", "chapter", "text", "guidance", "levels")
# A scale point's value → its label, read from `scale`.
Scale = dict[int, LangText]


def build_criteria(
    root: Node | None, report: Report, file_name: str | None = None, manual: Manual | None = None
) -> CriteriaSet | None:
    """The CriteriaSet in `root`, or None when `report` got any problem. With `file_name`
    the set's id must be its stem; with a manual, chapters and topics are checked."""
    if root is None:
        return None
    ctx = Context(report)  # every text in every language: no catalogues stand in
    if not isinstance(root, Map):
        ctx.add(
            root.line,
            f"a criteria set must be a mapping with id, title and criteria, not {shown(root)}",
        )
        return None
    check_keys(root, TOP_KEYS, "", ctx)
    require(root, TOP_KEYS, "", ctx)
    set_id = _set_id(root, file_name, ctx)
    ctx.languages = get_languages(root, ctx)
    title = get_text(root, "title", "", ctx)
    revision_id, revision = _revision(root, manual, ctx)
    scale = _scale(root, ctx)
    criteria = _criteria(root, scale, revision, ctx)
    if report or set_id is None or title is None or revision_id is None:
        return None
    return CriteriaSet(set_id, title, revision_id, ctx.languages, criteria)


def _set_id(root: Map, file_name: str | None, ctx: Context) -> str | None:
    set_id = get_str(root, "id", "", ctx)
    if set_id is None:
        return None
    line = root.entries["id"].line
    if not SET_ID.match(set_id):
        ctx.add(
            line,
            f"id '{set_id}' must use only a-z, 0-9 and single hyphens (like 'procurement-unit')",
        )
    stem = Path(file_name).stem if file_name else None
    if stem is not None and stem != set_id:
        ctx.add(line, f"id '{set_id}' must be the file's name without .yaml ('{stem}')")
    return set_id


def _revision(root: Map, manual: Manual | None, ctx: Context) -> tuple[str | None, Revision | None]:
    """The manual revision's id as written, and the revision of `manual` it names."""
    entry = root.get("manual_revision")
    if entry is None:
        return None, None
    # `manual_revision: 0.3` is a number to YAML; the text as written is the revision.
    text = entry.value.text if isinstance(entry.value, Scalar) else ""
    if not REVISION_ID.match(text):
        ctx.add(entry.line, f"manual_revision {shown(entry.value)} must be like '0.3' or '1.0'")
        return None, None
    if manual is None or not manual.revisions:
        return text, None  # no manual to check against: chapters and topics go unchecked
    # As for a round: a revision the manual does not list uses the latest listed before it.
    if revision_key(text) < revision_key(manual.revisions[0].id):
        listed = ", ".join(r.id for r in manual.revisions)
        ctx.add(
            entry.line, f"manual_revision '{text}' is not in the manual (its revisions: {listed})"
        )
        return text, None
    return text, manual.revision(text)


def _scale(root: Map, ctx: Context) -> Scale:
    """The scale's labels by value; {} when the scale is broken (levels go unchecked)."""
    seq = get_seq(root, "scale", "", ctx)
    if seq is None:
        return {}
    scale: Scale = {}
    lines: dict[int, int] = {}
    broken = False
    for item, where in value_label_maps(seq.items, lambda n: f"scale point {n}", ctx):
        value = _point_value(item, where, ctx)
        label = get_text(item, "label", where, ctx, required=True)
        if value is not None and value in lines:
            ctx.add(
                item.line,
                f"scale value {value} is used twice (lines {lines[value]} and {item.line})",
            )
            broken = True
        elif value is not None and label is not None:
            scale[value], lines[value] = label, item.line
        else:
            broken = True
    if (
        not broken
        and len(scale) == len(seq.items)
        and sorted(scale) != list(range(1, len(scale) + 1))
    ):
        ctx.add(seq.line, "the scale's values must be 1, 2, 3 … without gaps (1 = lowest)")
    if len(scale) == 1:
        ctx.add(seq.line, "a scale needs at least two points")
    return {} if broken or len(scale) != len(seq.items) else scale


def _point_value(item: Map, where: str, ctx: Context) -> int | None:
    entry = item.get("value")
    if entry is None:
        ctx.add(item.line, "'value' is missing", where)
        return None
    node = entry.value
    if isinstance(node, Scalar) and type(node.value) is int and node.value >= 1:
        return node.value
    ctx.add(entry.line, f"value must be a whole number from 1 up, not {shown(node)}", where)
    return None


def _criteria(
    root: Map, scale: Scale, revision: Revision | None, ctx: Context
) -> tuple[Criterion, ...]:
    seq = get_seq(root, "criteria", "", ctx)
    ids: dict[str, int] = {}
    continued: dict[str, int] = {}  # an old id → the line that first continues it
    found: list[Criterion] = []
    for number, item in enumerate(seq.items if seq is not None else (), start=1):
        criterion = _criterion(item, number, scale, revision, ids, continued, ctx)
        if criterion is not None:
            found.append(criterion)
    return tuple(found)


def _criterion(
    node: Node,
    number: int,
    scale: Scale,
    revision: Revision | None,
    ids: dict[str, int],
    continued: dict[str, int],
    ctx: Context,
) -> Criterion | None:
    if not isinstance(node, Map):
        ctx.add(
            node.line,
            f"a criterion must be a mapping with id, chapter, text, guidance "
            f"and levels, not {shown(node)}",
        )
        return None
    cid = _criterion_id(node, ids, ctx)
    where = f"criterion '{cid}'" if cid else f"criterion {number}"
    check_keys(node, CRITERION_KEYS, where, ctx)
    require(node, REQUIRED_CRITERION_KEYS, where, ctx)
    chapter = get_str(node, "chapter", where, ctx)
    topic = get_str(node, "topic", where, ctx)
    _check_place(node, chapter, topic, revision, where, ctx)
    text = get_text(node, "text", where, ctx)
    guidance = get_text(node, "guidance", where, ctx)
    levels = _levels(node, scale, where, ctx)
    continues = _continues(node, continued, where, ctx)
    if cid is None or chapter is None or text is None or guidance is None:
        return None
    return Criterion(cid, chapter, topic, text, guidance, levels, continues)


def _criterion_id(node: Map, ids: dict[str, int], ctx: Context) -> str | None:
    cid = get_str(node, "id", "", ctx)
    if cid is None:
        return None
    line = node.entries["id"].line
    if not CRITERION_ID.match(cid):
        ctx.add(line, f"criterion id '{cid}' must use only a-z, 0-9 and '_'")
    if cid in ids:
        ctx.add(line, f"criterion id '{cid}' is used twice (lines {ids[cid]} and {line})")
    ids.setdefault(cid, line)
    return cid


def _check_place(
    node: Map,
    chapter: str | None,
    topic: str | None,
    revision: Revision | None,
    where: str,
    ctx: Context,
) -> None:
    """The chapter, and the topic when given, must be the manual revision's."""
    if revision is None or chapter is None:
        return
    found = revision.chapter(chapter)
    chapter_ids = [c.id for c in revision.chapters]
    if found is None:
        ctx.add(
            node.entries["chapter"].line,
            f"chapter '{chapter}' is not a chapter of manual revision '{revision.id}'"
            + hint(chapter, chapter_ids),
            where,
        )
    elif topic is not None and found.topic(topic) is None:
        topic_ids = [t.id for t in found.topics]
        ctx.add(
            node.entries["topic"].line,
            f"topic '{topic}' is not a topic of chapter '{chapter}' in manual revision "
            f"'{revision.id}'" + hint(topic, topic_ids),
            where,
        )


def _levels(node: Map, scale: Scale, where: str, ctx: Context) -> tuple[Level, ...]:
    """Every scale point described: `levels: {1: {en: …}, …}`."""
    entry = node.get("levels")
    if entry is None:
        return ()
    if not isinstance(entry.value, Map):
        ctx.add(
            entry.line,
            f"'levels' must map each scale value to its description, not {shown(entry.value)}",
            where,
        )
        return ()
    described: dict[int, LangText] = {}
    for key, item in entry.value.entries.items():
        value = int(key) if key.isdigit() else None
        if scale and value not in scale:
            on_scale = ", ".join(str(v) for v in scale)
            ctx.add(item.line, f"level '{key}' is not on the scale ({on_scale})", where)
            continue
        # Read as a one-entry mapping so messages say "level 3 has no 'sv' translation".
        name = f"level {key}"
        text = get_text(
            Map({name: Entry(name, item.line, item.value)}, item.line), name, where, ctx
        )
        if value is not None and text is not None:
            described[value] = text
    for value in scale:
        if str(value) not in entry.value.entries:
            ctx.add(entry.line, f"scale point {value} has no description in 'levels'", where)
    return tuple(Level(v, scale[v], described[v]) for v in scale if v in described)


def _continues(node: Map, continued: dict[str, int], where: str, ctx: Context) -> tuple[str, ...]:
    """The previous set's ids this criterion continues; each may be continued only once,
    or a re-run would not know where its results go."""
    entry = node.get("continues")
    if entry is None:
        return ()
    if not isinstance(entry.value, Seq):
        ctx.add(entry.line, f"'continues' must be a list of ids, not {shown(entry.value)}", where)
        return ()
    olds: list[str] = []
    for item in entry.value.items:
        old = item.text if isinstance(item, Scalar) else ""
        if not CRITERION_ID.match(old):
            ctx.add(item.line, f"'continues' must name criterion ids, not {shown(item)}", where)
        elif old in continued:
            first = continued[old]
            lines = f"line {first}" if first == item.line else f"lines {first} and {item.line}"
            ctx.add(
                item.line,
                f"'{old}' is continued twice ({lines}); a criterion of the previous set goes "
                "on in one place",
                where,
            )
        else:
            continued[old] = item.line
            olds.append(old)
    return tuple(olds)


def read_criteria_file(
    path: Path, manual: Manual | None = None
) -> tuple[CriteriaSet | None, list[Problem]]:
    """The set in the file at `path`, or None with every problem."""
    report = Report(str(path))
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)  # never read more than we would accept
    except OSError as exc:
        report.add(1, f"the file cannot be read: {exc.strerror or exc}")
        return None, report.sorted()
    text = decode(data, report)
    root = parse(text, report) if text is not None else None
    criteria = build_criteria(root, report, path.name, manual)
    return criteria, report.sorted()


def load_criteria_text(
    text: str, source: str = "<string>", manual: Manual | None = None
) -> CriteriaSet:
    """Parse and check a criteria set's text; DefinitionError carries every problem."""
    report = Report(source)
    criteria = build_criteria(parse(text, report), report, None, manual)
    if criteria is None:
        raise DefinitionError(report.sorted() or [Problem(source, 1, "the set cannot be read")])
    return criteria


def load_criteria(path: str | Path, manual: Manual | None = None) -> CriteriaSet:
    """Load one criteria file (its id must be the file's stem); DefinitionError carries
    every problem. Chapters and topics are checked against `manual` when given."""
    criteria, problems = read_criteria_file(Path(path), manual)
    if criteria is None:
        raise DefinitionError(problems or [Problem(str(path), 1, "the set cannot be read")])
    return criteria
