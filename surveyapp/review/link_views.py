"""The reviewers' pages by personal link (`/r/<token>`): a start page, one page per chapter
(levels as radio buttons with their descriptions, the host's or a peer's fields), saved per
page and resumed by the same link; no JavaScript."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..db import begin_write, get_session
from ..errors import InvalidRequest
from ..forms.dynamic import TokenField
from ..i18n import _
from ..services import peer_reviews
from ..services.peer_reviews import StaleAssessment
from .blueprint import links_bp
from .chapter_form import Entry, entry_of, field_names, posted_entries, stored_entries
from .link_context import (
    Reviewer,
    host_assessments,
    reviewer_actor,
    reviewer_or_404,
    saved_assessments,
)


@links_bp.get("/<token>")
def start(token: str) -> ResponseReturnValue:
    reviewer = reviewer_or_404(token)
    saved = saved_assessments(reviewer.party)
    done = sum(1 for row in saved.values() if row.level is not None)
    return render_template(
        "review/link_start.html",
        **reviewer.page_context(),
        chapters=reviewer.chapters(),
        done=done,
        total=len(reviewer.criteria.criteria),
        saved=request.args.get("saved") == "1",
    )


def chapter_or_404(reviewer: Reviewer, chapter_id: str) -> tuple[int, dict[str, Any]]:
    chapters = reviewer.chapters()
    for index, chapter in enumerate(chapters):
        if chapter["id"] == chapter_id:
            return index, chapter
    abort(404)


def render_chapter(
    reviewer: Reviewer, chapter_id: str, entries: dict[str, Entry] | None = None,
    notice: str | None = None,
) -> str:  # fmt: skip
    """The chapter page, with stored values or with `entries` as typed."""
    index, chapter = chapter_or_404(reviewer, chapter_id)
    if entries is None:
        entries = stored_entries(
            chapter["criteria"], saved_assessments(reviewer.party), reviewer.is_host
        )
    chapters = reviewer.chapters()
    return render_template(
        "review/link_chapter.html",
        **reviewer.page_context(),
        chapter=chapter,
        number=index + 1,
        count=len(chapters),
        entries=entries,
        fields=field_names(reviewer.is_host),
        host_views={} if reviewer.is_host else host_assessments(reviewer.review),
        form=TokenField(),
        notice=notice,
    )


@links_bp.get("/<token>/c/<chapter_id>")
def chapter(token: str, chapter_id: str) -> ResponseReturnValue:
    return render_chapter(reviewer_or_404(token), chapter_id)


@links_bp.post("/<token>/c/<chapter_id>")
def save_chapter(token: str, chapter_id: str) -> ResponseReturnValue:
    """Saves each criterion the reviewer changed; one a colleague of the same organisation
    saved since the page was opened is refused and shown again with both texts (409)."""
    reviewer = reviewer_or_404(token)
    index, chapter = chapter_or_404(reviewer, chapter_id)
    entries = posted_entries(chapter["criteria"], request.form, reviewer.is_host)
    db = get_session()
    begin_write(db)
    stored = stored_entries(
        chapter["criteria"], saved_assessments(reviewer.party), reviewer.is_host
    )
    for criterion in chapter["criteria"]:
        entry = entries[criterion.id]
        # Unchanged (or left empty and never saved): no save, no audit event, and no
        # overwriting a colleague's newer save with the older text this page showed.
        if not entry.errors and not entry.unchanged(stored[criterion.id]):
            _save(reviewer, criterion.id, entry)
    db.commit()
    if any(entry.errors for entry in entries.values()):
        stale = any(entry.stale for entry in entries.values())
        return render_chapter(reviewer, chapter_id, entries), 409 if stale else 422
    return redirect(_after(reviewer, index), 303)


def _save(reviewer: Reviewer, criterion_id: str, entry: Entry) -> None:
    texts: dict[str, Any] = {
        name: entry.texts.get(name, "") for name in field_names(reviewer.is_host)
    }
    try:
        peer_reviews.save_assessment(
            get_session(), reviewer.member, criterion_id, level=entry.level_value, **texts,
            seen_version=entry.seen_version, actor=reviewer_actor(reviewer),
        )  # fmt: skip
    except StaleAssessment as stale:
        # Nothing was changed: keep the typed text, show the colleague's beside it, and
        # let the next save (deliberately) go over the version now shown.
        entry.stale = stale.current
        entry.seen_version = stale.current.version
        entry.base = entry_of(stale.current, reviewer.is_host).fingerprint()
        entry.errors["stale"] = _(
            "Someone else of your organisation saved this criterion after you opened the "
            "page. Their version is shown above your fields; your text is kept below. "
            "Combine them and save again."
        )
    except InvalidRequest as error:
        entry.errors["level"] = str(error)


def _after(reviewer: Reviewer, index: int) -> str:
    """Back, the next chapter, or (after the last) the start page (or the earlier actions)."""
    chapters = reviewer.chapters()
    token = reviewer.token
    if request.form.get("action") == "back":
        if index == 0:
            return url_for("reviewer.start", token=token)
        return url_for("reviewer.chapter", token=token, chapter_id=chapters[index - 1]["id"])
    if index + 1 < len(chapters):
        return url_for("reviewer.chapter", token=token, chapter_id=chapters[index + 1]["id"])
    if reviewer.is_host and reviewer.review.previous_review_id:
        return url_for("reviewer.follow_ups", token=token)
    return url_for("reviewer.start", token=token, saved="1")
