"""A reviewer's chapter page as posted: per criterion the level, the text fields and the
version the page showed (several members of one organisation share one assessment), read
from the form and checked, so a page that fails keeps every field as typed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..definitions.criteria import Criterion
from ..i18n import _, _l
from ..review_models import ReviewAssessment

MAX_TEXT = 10_000  # as the services' limit: a thorough answer, a readable page and PDF
HOST_FIELDS = {
    "evidence": _l("Evidence"),
    "links": _l("Links to documents"),
    "key_people": _l("Key people to meet"),
}
PEER_FIELDS = {
    "observations": _l("Observations"),
    "questions": _l("Questions for the evaluation days"),
}


@dataclass
class Entry:
    """One criterion's values on the page, as stored or as typed, and their errors."""

    level: str = ""
    texts: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    seen_version: int = 0  # the stored version the page is based on (0: none saved yet)
    base: str = ""  # the fingerprint of that version's values: what the reviewer started from
    stale: ReviewAssessment | None = None  # a colleague's newer save, shown beside ours

    @property
    def is_filled(self) -> bool:
        return bool(self.level or any(text.strip() for text in self.texts.values()))

    @property
    def level_value(self) -> int | None:
        return int(self.level) if self.level.isdigit() else None

    def same_as(self, other: Entry) -> bool:
        """The same level and texts (as the services store them: stripped, any line ends)."""
        return self.level == other.level and all(
            _plain(text) == _plain(other.texts.get(name, "")) for name, text in self.texts.items()
        )

    def fingerprint(self) -> str:
        """A short hash of the level and texts: equal when the reviewer changed nothing."""
        shown = [self.level, *(_plain(self.texts[name]) for name in sorted(self.texts))]
        return hashlib.sha256("\x00".join(shown).encode()).hexdigest()[:16]

    def unchanged(self, stored: Entry) -> bool:
        """Nothing to save: as the page's stored version showed it, or as stored now."""
        return self.fingerprint() == self.base or self.same_as(stored)


def _plain(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def entry_of(row: ReviewAssessment | None, is_host: bool) -> Entry:
    """A stored assessment (or none) as the page shows it, with its version."""
    level = "" if row is None or row.level is None else str(row.level)
    texts = {name: getattr(row, name) or "" if row else "" for name in field_names(is_host)}
    entry = Entry(level, texts, seen_version=row.version if row else 0)
    entry.base = entry.fingerprint()
    return entry


def field_names(is_host: bool) -> dict[str, object]:
    return HOST_FIELDS if is_host else PEER_FIELDS


def stored_entries(
    criteria: Iterable[Criterion], saved: Mapping[str, ReviewAssessment], is_host: bool
) -> dict[str, Entry]:
    return {criterion.id: entry_of(saved.get(criterion.id), is_host) for criterion in criteria}


def posted_entries(
    criteria: Iterable[Criterion], form: Mapping[str, str], is_host: bool
) -> dict[str, Entry]:
    """Each criterion's posted values; a level off the scale or a text too long is an error
    next to its field, and the typed values stay."""
    entries = {}
    for criterion in criteria:
        level = (form.get(f"{criterion.id}-level") or "").strip()
        texts = {name: form.get(f"{criterion.id}-{name}", "") for name in field_names(is_host)}
        # A page without the hidden version (not ours) is checked as if nothing was saved.
        seen = form.get(f"{criterion.id}-seen", "")
        entry = Entry(level, texts, seen_version=int(seen) if seen.isdigit() else 0)
        entry.base = form.get(f"{criterion.id}-base", "")
        if level and (not level.isdigit() or int(level) not in criterion.values):
            entry.errors["level"] = _("Choose one of the levels shown.")
        for name, text in texts.items():
            if len(text) > MAX_TEXT:
                entry.errors[name] = _("At most %(max)d characters fit here.", max=MAX_TEXT)
        entries[criterion.id] = entry
    return entries
