"""Migrations apply, match the models, and roll back — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from surveyapp import migrate, review_models  # noqa: F401 - the review tables on Base
from surveyapp.db import Base, make_engine
from surveyapp.services import response_reads

TABLES = {
    "api_tokens",
    "audit_events",
    "mail_batches",
    "mail_messages",
    "users",
    "participants",
    "rounds",
    "invitations",
    "responses",
    "answers",
    "feedback_items",
    "published_reports",
    "peer_reviews",
    "review_parties",
    "review_members",
    "review_assessments",
    "review_agenda_items",
    "review_notes",
    "review_actions",
    "review_follow_ups",
}


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the kind the suite runs against."""
    admin_url = os.environ.get("TEST_DATABASE_URL", "")
    if not admin_url.startswith("postgresql"):
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    name = f"surveyapp_mig_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(admin_url).set(database=name).render_as_string(False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_creates_every_table_at_head(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= TABLES
    assert migrate.current_revision(empty_engine) == migrate.head_revision()


def test_migrations_match_the_models(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], "models changed without a migration: run alembic revision --autogenerate"


def test_downgrade_to_base_removes_everything_and_upgrade_again_works(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine)
    migrate.downgrade(empty_engine, "base")
    assert not TABLES & set(inspect(empty_engine).get_table_names())
    assert migrate.current_revision(empty_engine) is None
    migrate.upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= TABLES


def test_session_epoch_starts_at_zero_for_existing_users_and_rolls_back(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine, "0005")
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (email, password_hash, role, is_active, created_at)"
                " VALUES ('c@partnership.example', 'x', 'coordinator', true, CURRENT_TIMESTAMP)"
            )
        )
    migrate.upgrade(empty_engine, "0006")
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT session_epoch FROM users")).scalar_one() == 0
    migrate.downgrade(empty_engine, "0005")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("users")}
    assert "session_epoch" not in columns
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 1


def _insert(conn: Connection, table: str, **values: object) -> int:
    """A row written with plain SQL, as the database held it at an older revision; its id."""
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)
    found = conn.execute(text(f"SELECT max(id) FROM {table}")).scalar_one()
    return int(found)


OPENED = dt.datetime(2026, 11, 1, 12, 0)


def _round_with_responses(conn: Connection, *, anonymous: bool) -> list[tuple[int, int]]:
    """A round at revision 0006 with a submitted and a draft response, each tied to its
    invitation as they were then; (invitation id, response id) of each."""
    now = dt.datetime(2026, 11, 2, 9, 30)
    round_id = _insert(
        conn,
        "rounds",
        survey_id="respond-test",
        revision="0.3",
        definition_yaml="id: respond-test",
        definition_hash="x" * 64,
        status="open",
        is_anonymous=anonymous,
        created_at=now - dt.timedelta(days=1),
        opened_at=OPENED,
    )
    made = []
    for status in ("submitted", "draft"):
        person = _insert(
            conn,
            "participants",
            email=f"{uuid.uuid4().hex[:10]}@city.example",
            name="Old Respondent",
            organisation="",
            city="",
            country="FI",
            group_name="g",
            created_at=now,
            updated_at=now,
        )
        invitation = _insert(
            conn,
            "invitations",
            round_id=round_id,
            participant_id=person,
            token=uuid.uuid4().hex,
            created_at=now,
        )
        response = _insert(
            conn,
            "responses",
            round_id=round_id,
            invitation_id=invitation,
            status=status,
            started_at=now,
            updated_at=now + dt.timedelta(hours=1),
            submitted_at=now + dt.timedelta(hours=1) if status == "submitted" else None,
            submission_count=1 if status == "submitted" else 0,
        )
        made.append((invitation, response))
    return made


_AFTER_0007 = text(
    "SELECT r.invitation_id, r.token, r.started_at, r.submitted_at, i.started_at, "
    "i.submitted_at, i.token FROM responses r, invitations i WHERE r.id = :response "
    "AND i.id = :invitation"
)


def test_0007_detaches_anonymous_responses_and_keeps_started_and_submitted(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine, "0006")
    with empty_engine.begin() as conn:
        anonymous = _round_with_responses(conn, anonymous=True)
        named = _round_with_responses(conn, anonymous=False)
    migrate.upgrade(empty_engine, "0007")
    # Then to the newest: resolve_link below reads the columns the code has today.
    migrate.upgrade(empty_engine, "head")
    with empty_engine.connect() as conn:
        tokens = set()
        for invitation, response in anonymous:  # the submitted one, then the draft
            row = conn.execute(_AFTER_0007, {"response": response, "invitation": invitation})
            linked, token, started, submitted, *on_invitation, invitation_token = row.one()
            assert linked is None, "an anonymous response no longer points at its invitation"
            # The round's opening, as every anonymous invitation keeps: not the response's times.
            opened = conn.execute(text("SELECT max(opened_at) FROM rounds")).scalar_one()
            assert on_invitation == [opened, opened if submitted else None]
            assert started != opened
            tokens.add(token)
            resumed = response_reads.resolve_link(conn, token)  # its private link opens it
            assert resumed.response is not None and resumed.response.id == response
            assert response_reads.resolve_link(conn, invitation_token).response is None
        assert len(tokens) == 2 and None not in tokens
        assert [submitted is None for *_, submitted in _invitation_times(conn, anonymous)] == [
            False,
            True,
        ]
        for invitation, response in named:
            row = conn.execute(_AFTER_0007, {"response": response, "invitation": invitation})
            linked, token, _started, _submitted, *on_invitation, _ = row.one()
            assert (linked, token) == (invitation, None), "named rounds' responses stay tied"
            assert on_invitation == [None, None], "and are not back-filled"


def _invitation_times(conn: Connection, made: list[tuple[int, int]]) -> list[tuple[object, ...]]:
    query = text("SELECT started_at, submitted_at FROM invitations WHERE id = :id")
    return [tuple(conn.execute(query, {"id": invitation}).one()) for invitation, _ in made]


def test_0008_and_0009_keep_feedback_items_link_them_and_roll_back(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, "0007")
    now = dt.datetime(2026, 12, 1, 9, 0)
    with empty_engine.begin() as conn:
        [(_invitation, response), _draft] = _round_with_responses(conn, anonymous=False)
        round_id = conn.execute(text("SELECT max(id) FROM rounds")).scalar_one()
        items = [
            _insert(
                conn,
                "feedback_items",
                round_id=round_id,
                response_id=response,
                question_id=question,
                status="new",
                note="Kept",
                updated_at=now,
            )
            for question in ("first", "second")
        ]
    migrate.upgrade(empty_engine, "0008")
    with empty_engine.connect() as conn:
        pending = conn.execute(text("SELECT comments_pending FROM responses")).scalars().all()
    assert pending and all(pending), "earlier responses' comments may wait to be brought in"
    migrate.upgrade(empty_engine, "0009")
    with empty_engine.begin() as conn:
        user = _insert(
            conn,
            "users",
            email="e@partnership.example",
            password_hash="x",
            role="editor",
            is_active=True,
            created_at=now,
        )
        conn.execute(
            text("UPDATE feedback_items SET assignee_id = :user, duplicate_of_id = :first"),
            {"user": user, "first": items[0]},
        )
        conn.execute(text("DELETE FROM users WHERE id = :user"), {"user": user})
    query = text("SELECT note, assignee_id, duplicate_of_id FROM feedback_items ORDER BY id")
    with empty_engine.connect() as conn:
        assert conn.execute(query).all() == [("Kept", None, items[0]), ("Kept", None, items[0])]
    migrate.downgrade(empty_engine, "0007")
    columns = {c["name"] for c in inspect(empty_engine).get_columns("feedback_items")}
    assert not {"assignee_id", "duplicate_of_id"} & columns
    indexes = {i["name"] for i in inspect(empty_engine).get_indexes("feedback_items")}
    assert "ix_feedback_items_queue" not in indexes
    assert "comments_pending" not in {
        c["name"] for c in inspect(empty_engine).get_columns("responses")
    }
    with empty_engine.connect() as conn:
        notes = conn.execute(text("SELECT note FROM feedback_items")).scalars().all()
    assert notes == ["Kept", "Kept"]


REVIEW_TABLES = {name for name in TABLES if name == "peer_reviews" or name.startswith("review_")}


def test_0013_adds_the_peer_review_tables_and_rolls_back_to_0012(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, "0013")
    assert set(inspect(empty_engine).get_table_names()) >= REVIEW_TABLES
    migrate.downgrade(empty_engine, "0012")
    left = set(inspect(empty_engine).get_table_names())
    assert not REVIEW_TABLES & left and left >= TABLES - REVIEW_TABLES


def test_0014_adds_the_response_revision_and_rolls_back_to_0013(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, "0013")
    with empty_engine.begin() as conn:
        _round_with_responses(conn, anonymous=False)
    migrate.upgrade(empty_engine, "0014")
    with empty_engine.connect() as conn:
        revisions = conn.execute(text("SELECT revision FROM responses")).scalars().all()
    assert revisions and set(revisions) == {0}, "existing responses start at revision 0"
    migrate.downgrade(empty_engine, "0013")
    assert "revision" not in {c["name"] for c in inspect(empty_engine).get_columns("responses")}
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM responses")).scalar_one() == 2
