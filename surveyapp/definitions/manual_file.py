"""Reading manual.yaml with the strict loader: every problem with its line, all at once."""

from __future__ import annotations

import re
from pathlib import Path

from surveyapp.definitions.fields import (
    Context,
    check_keys,
    get_languages,
    get_seq,
    get_str,
    get_text,
    require,
    shown,
)
from surveyapp.definitions.manual import MANUAL_FILE, Chapter, Manual, Revision, Topic, revision_key
from surveyapp.definitions.reporting import Report, hint, nested
from surveyapp.definitions.yamlnodes import MAX_BYTES, Map, Node, Scalar, Seq, decode, parse
from surveyapp.errors import DefinitionError, Problem

ITEM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
REVISION_ID = re.compile(r"^[0-9A-Za-z]+([.\-_][0-9A-Za-z]+)*$")
TOP_KEYS = ("languages", "revisions")
REVISION_KEYS = ("id", "continues", "chapters")
CHAPTER_KEYS = ("id", "title", "topics")
TOPIC_KEYS = ("id", "title")


def build_manual(root: Node | None, report: Report) -> Manual | None:
    """The Manual in `root`, or None when `report` got any problem."""
    if root is None:
        return None
    ctx = Context(report)
    if not isinstance(root, Map):
        ctx.add(
            root.line,
            f"the manual must be a mapping with languages and revisions, not {shown(root)}",
        )
        return None
    check_keys(root, TOP_KEYS, "", ctx)
    require(root, TOP_KEYS, "", ctx)
    ctx.languages = get_languages(root, ctx)
    revisions: list[Revision] = []
    seq = get_seq(root, "revisions", "", ctx)
    for node in seq.items if seq is not None else ():
        revision = _revision(node, revisions, ctx)
        if revision is not None:
            revisions.append(revision)
    if report:
        return None
    return Manual(ctx.languages, tuple(revisions), report.source)


def _revision(node: Node, earlier: list[Revision], ctx: Context) -> Revision | None:
    if not isinstance(node, Map):
        ctx.add(node.line, f"a revision must be a mapping with id and chapters, not {shown(node)}")
        return None
    rid = _revision_id(node, earlier, ctx)
    where = f"revision '{rid}'" if rid else f"revision on line {node.line}"
    check_keys(node, REVISION_KEYS, where, ctx)
    require(node, ("id", "chapters"), where, ctx)
    seen: dict[str, int] = {}
    seq = get_seq(node, "chapters", where, ctx)
    chapters = tuple(
        chapter
        for order, item in enumerate(seq.items if seq is not None else (), start=1)
        if (chapter := _chapter(item, order, where, seen, ctx)) is not None
    )
    if rid is None:
        return None
    revision = Revision(rid, chapters)
    continues = _continues(node, revision, earlier[-1] if earlier else None, where, ctx)
    return Revision(rid, chapters, continues)


def _revision_id(node: Map, earlier: list[Revision], ctx: Context) -> str | None:
    entry = node.get("id")
    if entry is None:
        return None
    # `id: 0.3` is a number to YAML; the text as written is the revision's name.
    text = entry.value.text if isinstance(entry.value, Scalar) else ""
    if not REVISION_ID.match(text):
        ctx.add(entry.line, f"revision id {shown(entry.value)} must be like '0.3' or '1.0'")
        return None
    if any(r.id == text for r in earlier):
        ctx.add(entry.line, f"revision '{text}' is listed twice")
    elif earlier and revision_key(text) <= revision_key(earlier[-1].id):
        ctx.add(entry.line, f"revision '{text}' must come after '{earlier[-1].id}' (oldest first)")
    return text


def _item_id(node: Map, where: str, seen: dict[str, int], ctx: Context) -> str | None:
    item_id = get_str(node, "id", where, ctx)
    if item_id is None:
        return None
    line = node.entries["id"].line
    if not ITEM_ID.match(item_id):
        ctx.add(
            line,
            f"id '{item_id}' must start with a letter a-z and use only a-z, 0-9 and '_'",
            where,
        )
    if item_id in seen:
        ctx.add(line, f"id '{item_id}' is used twice (lines {seen[item_id]} and {line})", where)
    seen.setdefault(item_id, line)
    return item_id


def _chapter(
    node: Node, order: int, where: str, seen: dict[str, int], ctx: Context
) -> Chapter | None:
    if not isinstance(node, Map):
        ctx.add(
            node.line, f"a chapter must be a mapping with id and title, not {shown(node)}", where
        )
        return None
    cid = _item_id(node, where, seen, ctx)
    chapter_where = nested(where, f"chapter '{cid}'" if cid else f"chapter {order}")
    check_keys(node, CHAPTER_KEYS, chapter_where, ctx)
    require(node, ("id", "title"), chapter_where, ctx)
    title = get_text(node, "title", chapter_where, ctx)
    topics: list[Topic] = []
    entry = node.get("topics")
    items = entry.value.items if entry is not None and isinstance(entry.value, Seq) else ()
    if entry is not None and not isinstance(entry.value, Seq):
        ctx.add(entry.line, f"'topics' must be a list, not {shown(entry.value)}", chapter_where)
    for number, item in enumerate(items, start=1):
        topic = _topic(item, number, chapter_where, seen, ctx)
        if topic is not None:
            topics.append(topic)
    if cid is None:
        return None
    # A chapter with a broken title is kept (the manual is refused anyway), so that a
    # continuation naming it is not reported too.
    return Chapter(cid, title or {}, order, tuple(topics), node.line)


def _topic(node: Node, order: int, where: str, seen: dict[str, int], ctx: Context) -> Topic | None:
    if not isinstance(node, Map):
        ctx.add(node.line, f"a topic must be a mapping with id and title, not {shown(node)}", where)
        return None
    tid = _item_id(node, where, seen, ctx)
    topic_where = nested(where, f"topic '{tid}'" if tid else f"topic {order}")
    check_keys(node, TOPIC_KEYS, topic_where, ctx)
    require(node, TOPIC_KEYS, topic_where, ctx)
    title = get_text(node, "title", topic_where, ctx)
    if tid is None:
        return None
    return Topic(tid, title or {}, order, node.line)


def _continues(
    node: Map, revision: Revision, previous: Revision | None, where: str, ctx: Context
) -> dict[str, tuple[str, ...]]:
    entry = node.get("continues")
    if entry is None:
        return {}
    if previous is None:
        ctx.add(entry.line, "the first revision cannot continue an earlier one", where)
        return {}
    if not isinstance(entry.value, Map):
        ctx.add(
            entry.line, f"'continues' must map new ids to old ones, not {shown(entry.value)}", where
        )
        return {}
    found: dict[str, tuple[str, ...]] = {}
    for new_id, item in entry.value.entries.items():
        olds = _old_ids(item.value, item.line, where, ctx)
        if _continuation_ok(new_id, item.line, olds, revision, previous, where, ctx):
            found[new_id] = tuple(old for old, _ in olds)
    return found


def _old_ids(node: Node, line: int, where: str, ctx: Context) -> list[tuple[str, int]]:
    items = node.items if isinstance(node, Seq) else (node,)
    if not items or not all(isinstance(i, Scalar) and i.text for i in items):
        ctx.add(
            line, f"a continuation must name old ids, as a word or a list, not {shown(node)}", where
        )
        return []
    return [(i.text, i.line) for i in items if isinstance(i, Scalar)]


def _continuation_ok(
    new_id: str,
    line: int,
    olds: list[tuple[str, int]],
    revision: Revision,
    previous: Revision,
    where: str,
    ctx: Context,
) -> bool:
    ok = bool(olds)
    if new_id not in revision.ids():
        ctx.add(
            line,
            f"continues '{new_id}', which is not an id of this revision"
            + hint(new_id, revision.ids()),
            where,
        )
        ok = False
    is_chapter = revision.chapter(new_id) is not None
    for old, old_line in olds:
        if old not in previous.ids():
            close = hint(old, previous.ids())
            ctx.add(old_line, f"'{old}' is not an id of revision '{previous.id}'{close}", where)
            ok = False
        elif new_id in revision.ids() and (previous.chapter(old) is not None) != is_chapter:
            ctx.add(old_line, f"'{new_id}' and '{old}' must both be chapters or both topics", where)
            ok = False
    return ok


def read_manual_file(path: Path) -> tuple[Manual | None, list[Problem]]:
    """The manual in the file at `path`, or None with every problem."""
    report = Report(str(path))
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        report.add(1, f"the file cannot be read: {exc.strerror or exc}")
        return None, report.sorted()
    text = decode(data, report)
    manual = build_manual(parse(text, report), report) if text is not None else None
    return manual, report.sorted()


def load_manual_text(text: str, source: str = "<string>") -> Manual:
    """Parse and check a manual's text; DefinitionError carries every problem."""
    report = Report(source)
    manual = build_manual(parse(text, report), report)
    if manual is None:
        raise DefinitionError(report.sorted() or [Problem(source, 1, "the manual cannot be read")])
    return manual


def manual_of_dir(directory: str | Path) -> Manual:
    """The manual beside the surveys of `directory`; an empty Manual when it has none.
    DefinitionError when the file has problems."""
    path = Path(directory) / MANUAL_FILE
    if not path.is_file():
        return Manual()
    manual, problems = read_manual_file(path)
    if manual is None:
        raise DefinitionError(problems)
    return manual
