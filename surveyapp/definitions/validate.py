"""Building a Survey from a node tree: the top level, languages, scales and sections."""

from __future__ import annotations

import re

from surveyapp.definitions.conditions import Located, check_conditions
from surveyapp.definitions.fields import (
    check_keys,
    get_int,
    get_languages,
    get_seq,
    get_str,
    get_text,
    require,
    shown,
    value_label_maps,
)
from surveyapp.definitions.manual import Manual
from surveyapp.definitions.questions import SurveyContext, read_question
from surveyapp.definitions.reporting import Report, hint, one_of
from surveyapp.definitions.scales import BUILTIN_SCALES
from surveyapp.definitions.schema import About, Option, Question, Scale, Section, Survey
from surveyapp.definitions.translations import FROZEN_KEY, apply_frozen
from surveyapp.definitions.yamlnodes import Map, Node, Scalar, plain

SURVEY_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SECTION_ID = re.compile(r"^[a-z0-9_]+$")
SCALE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
TOP_KEYS = ("id", "title", "languages", "description", "about", "scales", "sections")
ABOUT_KEYS = ("organiser", "contact", "privacy", "privacy_url")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SECTION_KEYS = ("id", "chapter", "title", "description", "questions")
_NO_SECTION_CONDITION = {
    "show_if": "a section cannot have show_if; put the condition on its questions",
}


def build_survey(
    root: Node | None, report: Report, file_name: str | None = None, manual: Manual | None = None
) -> Survey | None:
    """The Survey in `root`, or None when `report` got any problem.

    `file_name` (e.g. "city-pilot.yaml") is given when the text comes from a file:
    the survey's id must then equal its stem. Sections' chapters and questions' topics
    must be those of `manual`'s latest revision; without a manual they are not checked.
    """
    if root is None:
        return None
    if not isinstance(root, Map):
        report.add(
            root.line,
            "a survey file must be a mapping with id, title, languages "
            f"and sections, not {shown(root)}",
        )
        return None
    ctx = SurveyContext(report, partial=True)
    if manual is not None and manual.revisions:
        ctx.chapters = {c.id: tuple(t.id for t in c.topics) for c in manual.latest.chapters}
    # `frozen` (the translations a round froze) is written by `round open`, never by hand.
    check_keys(root, TOP_KEYS if file_name else (*TOP_KEYS, FROZEN_KEY), "", ctx)
    require(root, ("id", "title", "languages", "sections"), "", ctx)
    survey_id = _survey_id(root, file_name, ctx)
    ctx.languages = get_languages(root, ctx)
    title = get_text(root, "title", "", ctx)
    description = get_text(root, "description", "", ctx)
    about = _about(root, ctx)
    ctx.scales = _survey_scales(root, ctx)
    sections = _sections(root, ctx)
    if report or survey_id is None or title is None:
        return None
    survey = Survey(
        id=survey_id,
        title=title,
        languages=ctx.languages,
        sections=sections,
        description=description,
        scales=ctx.scales,
        source=report.source,
        about=about,
    )
    frozen = root.get(FROZEN_KEY)
    return apply_frozen(survey, plain(frozen.value)) if frozen and not file_name else survey


def _about(root: Map, ctx: SurveyContext) -> About:
    """The optional `about:` mapping: organiser, contact, privacy, privacy_url."""
    entry = root.get("about")
    if entry is None:
        return About()
    node = entry.value
    if not isinstance(node, Map):
        ctx.add(
            entry.line, f"'about' must be a mapping of {', '.join(ABOUT_KEYS)}, not {shown(node)}"
        )
        return About()
    where = "about"
    check_keys(node, ABOUT_KEYS, where, ctx)
    contact = _about_str(node, "contact", where, ctx)
    if contact is not None and not _EMAIL.match(contact):
        ctx.add(
            node.entries["contact"].line,
            f"'contact' must be an email address, not '{contact}'",
            where,
        )
    url = _about_str(node, "privacy_url", where, ctx)
    if url is not None and not url.startswith(("https://", "http://")):
        ctx.add(node.entries["privacy_url"].line, "'privacy_url' must start with https://", where)
    return About(
        organiser=get_text(node, "organiser", where, ctx),
        contact=contact,
        privacy=get_text(node, "privacy", where, ctx),
        privacy_url=url,
    )


def _about_str(node: Map, key: str, where: str, ctx: SurveyContext) -> str | None:
    entry = node.get(key)
    if entry is None:
        return None
    if not isinstance(entry.value, Scalar) or not isinstance(entry.value.value, str):
        ctx.add(entry.line, f"'{key}' must be text, not {shown(entry.value)}", where)
        return None
    return entry.value.text.strip()


def _survey_id(root: Map, file_name: str | None, ctx: SurveyContext) -> str | None:
    survey_id = get_str(root, "id", "", ctx)
    if survey_id is None:
        return None
    line = root.entries["id"].line
    if not SURVEY_ID.match(survey_id):
        ctx.add(
            line,
            f"survey id '{survey_id}' must use only a-z, 0-9 and single '-' "
            "between them, like 'city-pilot'",
        )
    if file_name is not None:
        stem, dot, suffix = file_name.rpartition(".")
        if (stem if dot else suffix) != survey_id:
            wanted = f"{survey_id}.{suffix}" if dot else f"{survey_id}.yaml"
            ctx.add(
                line,
                f"survey id '{survey_id}' does not match the file name "
                f"'{file_name}'; rename the file to '{wanted}' or change the id",
            )
    return survey_id


def _survey_scales(root: Map, ctx: SurveyContext) -> dict[str, Scale]:
    entry = root.get("scales")
    if entry is None:
        return {}
    if not isinstance(entry.value, Map):
        ctx.add(
            entry.line,
            "'scales' must be a mapping of scale names to lists of points, "
            f"not {shown(entry.value)}",
        )
        return {}
    scales: dict[str, Scale] = {}
    ctx.scale_names.update(entry.value.entries)
    for name, item in entry.value.entries.items():
        where = f"scale '{name}'"
        if not SCALE_ID.match(name):
            ctx.add(
                item.line,
                "a scale name must start with a letter a-z and use only a-z, 0-9 and '_'",
                where,
            )
        elif name in BUILTIN_SCALES:
            ctx.add(
                item.line,
                "this is the name of a built-in scale; give your scale another name",
                where,
            )
        points = _scale_points(item.value, item.line, where, ctx)
        if points is not None:
            scales[name] = Scale(name, points)
    return scales


def _scale_points(
    node: Node, line: int, where: str, ctx: SurveyContext
) -> tuple[Option, ...] | None:
    items = getattr(node, "items", None)
    if not isinstance(items, tuple) or len(items) < 2:
        ctx.add(line, "a scale must be a list of at least 2 points {value, label}", where)
        return None
    points: list[Option] = []
    seen: dict[int, int] = {}
    for item, point_where in value_label_maps(items, lambda n: f"{where}, point {n}", ctx):
        require(item, ("value", "label"), point_where, ctx)
        value = get_int(item, "value", point_where, ctx)
        label = get_text(item, "label", point_where, ctx)
        if value is not None and value in seen:
            ctx.add(
                item.line,
                f"value {value} is used twice (lines {seen[value]} and {item.line})",
                where,
            )
        elif value is not None:
            seen[value] = item.line
        if value is not None and label is not None:
            points.append(Option(value, label))
    return tuple(points) if len(points) == len(items) else None


def _sections(root: Map, ctx: SurveyContext) -> tuple[Section, ...]:
    seq = get_seq(root, "sections", "", ctx)
    if seq is None:
        return ()
    located: list[Located] = []
    section_lines: dict[str, int] = {}
    sections: list[Section] = []
    for number, node in enumerate(seq.items, start=1):
        section = _section(node, number, ctx, section_lines, located)
        if section is not None:
            sections.append(section)
    check_conditions(located, ctx)
    return tuple(sections)


def _section(
    node: Node,
    number: int,
    ctx: SurveyContext,
    section_lines: dict[str, int],
    located: list[Located],
) -> Section | None:
    if not isinstance(node, Map):
        ctx.add(
            node.line,
            f"section {number} must be a mapping with id, title and questions, not {shown(node)}",
        )
        return None
    sid = get_str(node, "id", f"section {number}", ctx)
    where = f"section '{sid}'" if sid is not None else f"section {number}"
    if sid is not None:
        _check_section_id(sid, node, where, section_lines, ctx)
    check_keys(node, SECTION_KEYS, where, ctx, _NO_SECTION_CONDITION)
    require(node, ("id", "title", "questions"), where, ctx)
    chapter = ctx.chapter = _chapter(node, where, ctx)
    title = get_text(node, "title", where, ctx)
    description = get_text(node, "description", where, ctx)
    questions = _questions(node, where, ctx, located)
    if sid is None or title is None:
        return None
    return Section(
        id=sid,
        title=title,
        questions=questions,
        chapter=chapter,
        description=description,
        line=node.line,
    )


def _check_section_id(
    sid: str, node: Map, where: str, lines: dict[str, int], ctx: SurveyContext
) -> None:
    line = node.entries["id"].line
    if not SECTION_ID.match(sid):
        ctx.add(line, f"section id '{sid}' must use only a-z, 0-9 and '_'")
    if sid in lines:
        ctx.add(line, f"section id '{sid}' is used twice (lines {lines[sid]} and {line})")
    lines.setdefault(sid, line)


def _chapter(node: Map, where: str, ctx: SurveyContext) -> str | None:
    chapter = get_str(node, "chapter", where, ctx)
    if chapter is None or ctx.chapters is None or chapter in ctx.chapters:
        return chapter
    known = hint(chapter, ctx.chapters) or f" (the chapters are {one_of(ctx.chapters)})"
    ctx.add(node.entries["chapter"].line, f"unknown chapter '{chapter}'{known}", where)
    return None


def _questions(
    node: Map, where: str, ctx: SurveyContext, located: list[Located]
) -> tuple[Question, ...]:
    seq = get_seq(node, "questions", where, ctx)
    if seq is None:
        return ()
    lines = {item.id: item.line for item in located}
    questions = []
    for item in seq.items:
        read = read_question(item, where, ctx)
        if read is None:
            continue
        if read.id in lines:
            ctx.add(
                read.line,
                f"question id '{read.id}' is used twice (lines {lines[read.id]} and {read.line})",
                where,
            )
        lines.setdefault(read.id, read.line)
        located.append(read)
        if read.question is not None:
            questions.append(read.question)
    return tuple(questions)
