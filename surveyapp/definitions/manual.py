"""The manual the surveys are about: its revisions, chapters and topics (surveys/manual.yaml).

Plain frozen dataclasses and the lookups the rest of the app needs: a chapter's title in
a language, the chapters' order, and which chapters of an earlier revision a chapter
continues. An empty `Manual()` (no manual.yaml) answers every lookup with the ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from surveyapp.definitions.schema import LangText, localize

MANUAL_FILE = "manual.yaml"


def revision_key(revision: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for manual revisions as version tuples: "0.3" < "0.10" < "1.0"."""
    parts = re.split(r"[.\-_ ]+", revision.strip())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


@dataclass(frozen=True)
class Topic:
    """One topic of a chapter; `order` is its place in the chapter (from 1)."""

    id: str
    title: LangText
    order: int
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Chapter:
    """One chapter of a revision; `order` is its place in the manual (from 1)."""

    id: str
    title: LangText
    order: int
    topics: tuple[Topic, ...] = ()
    line: int = field(default=0, compare=False)

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


@dataclass(frozen=True)
class Revision:
    """One revision of the manual. `continues` maps an id of this revision (chapter or
    topic) to the ids of the previous revision it carries on: one for a rename, several
    for a merge; a split names the same old id under several new ids."""

    id: str
    chapters: tuple[Chapter, ...]
    continues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def chapter(self, chapter_id: str) -> Chapter | None:
        return next((c for c in self.chapters if c.id == chapter_id), None)

    def ids(self) -> set[str]:
        """Every chapter and topic id of this revision."""
        return {c.id for c in self.chapters} | {t.id for c in self.chapters for t in c.topics}

    def earlier(self, item_id: str, previous: Revision) -> tuple[str, ...]:
        """The ids of `previous` that `item_id` continues; an id kept as it was continues
        itself, a new one nothing."""
        if item_id in self.continues:
            return self.continues[item_id]
        return (item_id,) if item_id in previous.ids() else ()


_NO_REVISION = Revision("", ())


@dataclass(frozen=True)
class Manual:
    """The manual's revisions in order (oldest first), with titles in `languages`."""

    languages: tuple[str, ...] = ()
    revisions: tuple[Revision, ...] = ()
    source: str = ""

    @property
    def latest(self) -> Revision:
        return self.revisions[-1] if self.revisions else _NO_REVISION

    def revision(self, revision_id: str | None = None) -> Revision:
        """The revision a round of `revision_id` is about: that one, else the latest
        listed before it (a revision that changes no chapter need not be listed), else
        the first; the latest when `revision_id` is None."""
        if revision_id is None or not self.revisions:
            return self.latest
        wanted = revision_key(revision_id)
        earlier = [r for r in self.revisions if revision_key(r.id) <= wanted]
        return earlier[-1] if earlier else self.revisions[0]

    def chapter_title(self, chapter_id: str, lang: str, revision_id: str | None = None) -> str:
        """The chapter's title in `lang`: from the round's revision, else from the newest
        revision that has the id, else the id itself."""
        found = self.revision(revision_id).chapter(chapter_id)
        for revision in reversed(self.revisions):
            found = found or revision.chapter(chapter_id)
        return localize(found.title, lang) if found is not None else chapter_id

    def chapter_titles(self, lang: str, revision_id: str | None = None) -> dict[str, str]:
        """Every chapter id the manual has ever had, with its title in `lang`."""
        ids = {c.id for r in self.revisions for c in r.chapters}
        return {cid: self.chapter_title(cid, lang, revision_id) for cid in ids}

    def topic_titles(self, lang: str, revision_id: str | None = None) -> dict[str, str]:
        """Every "chapter/topic" id pair the manual has ever had, with the topic's title in
        `lang`: from the round's revision, else from the newest revision that has it."""
        titles: dict[str, str] = {}
        for revision in (*self.revisions, self.revision(revision_id)):  # the last one wins
            for chapter in revision.chapters:
                for topic in chapter.topics:
                    titles[f"{chapter.id}/{topic.id}"] = localize(topic.title, lang)
        return titles

    def chapter_order(
        self, chapter_ids: Iterable[str], revision_id: str | None = None
    ) -> list[str]:
        """`chapter_ids` in the revision's order; ids it lacks after, as given."""
        given = list(dict.fromkeys(chapter_ids))
        place = {c.id: c.order for c in self.revision(revision_id).chapters}
        return sorted(given, key=lambda cid: (place.get(cid, len(place) + 1), given.index(cid)))

    def earlier_ids(self, item_id: str, revision_id: str, earlier_revision_id: str) -> set[str]:
        """The ids of the revision of `earlier_revision_id` that `item_id` (of the revision
        of `revision_id`) continues, following each revision's `continues` back. Round
        revisions the file does not list map as `revision` does; an empty manual gives the
        id itself."""
        now, then = self.revision(revision_id), self.revision(earlier_revision_id)
        if now not in self.revisions or then not in self.revisions:
            return {item_id}
        ids = {item_id}
        step = self.revisions.index(now)
        while step > self.revisions.index(then):
            current, previous = self.revisions[step], self.revisions[step - 1]
            ids = {old for i in ids for old in current.earlier(i, previous)}
            step -= 1
        return ids
