"""What the participant import writes, on the test database (SQLite, or PostgreSQL when
TEST_DATABASE_URL says so): matching by email, only changed values, loaded copies kept fresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from builders import SETUP
from surveyapp.models import Participant
from surveyapp.services.participants import import_participants

HEADER = "email,name,organisation,city,country,group,language\n"


def imported(session: Session, text: str, group: str | None = None) -> tuple[int, int, int]:
    report = import_participants(session, text.encode("utf-8"), group=group, actor=SETUP)
    session.commit()
    return report.created, report.updated, report.unchanged


def naive(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back times without their (UTC) zone."""
    return moment.replace(tzinfo=None)


def stored(session: Session) -> dict[str, Participant]:
    session.expire_all()
    return {p.email: p for p in session.scalars(select(Participant))}


def test_a_reimport_matches_emails_in_any_case_and_refreshes_loaded_participants(
    session: Session, make_participant: Callable[..., Participant]
) -> None:
    anna = make_participant(email="anna@hel.fi", name="Anna", city="Helsinki", language="fi")
    session.commit()
    created_at, updated_at = naive(anna.created_at), naive(anna.updated_at)
    assert imported(session, "EMAIL,City,Language\n  ANNA@Hel.FI ,Espoo,\n") == (0, 1, 0)
    # The session keeps objects across commits here: the one loaded before is not stale.
    assert (anna.email, anna.name, anna.city, anna.language) == (
        "anna@hel.fi",
        "Anna",
        "Espoo",
        "fi",
    )
    assert naive(anna.created_at) == created_at and naive(anna.updated_at) > updated_at
    assert list(stored(session)) == ["anna@hel.fi"]


def test_unchanged_rows_are_not_written(
    session: Session, make_participant: Callable[..., Participant]
) -> None:
    anna = make_participant(email="anna@hel.fi", name="Anna", city="Helsinki")
    session.commit()
    updated_at = naive(anna.updated_at)
    assert imported(session, "email,name,city\nanna@hel.fi,Anna,\n") == (0, 0, 1)
    assert naive(stored(session)["anna@hel.fi"].updated_at) == updated_at


def test_each_updated_row_gets_only_its_own_changes(session: Session) -> None:
    imported(session, HEADER + "a@x.fi,A,Org A,City A,FI,g1,fi\nb@x.fi,B,Org B,City B,SE,g1,sv\n")
    created, updated, unchanged = imported(
        session, "email,name,city,language\na@x.fi,Aino,,\nb@x.fi,,Malmö,en\nc@x.fi,C,,\n"
    )
    assert (created, updated, unchanged) == (1, 2, 0)
    people = stored(session)
    values = [
        (p.email, p.name, p.organisation, p.city, p.country, p.group, p.language)
        for p in people.values()
    ]
    assert sorted(values) == [
        ("a@x.fi", "Aino", "Org A", "City A", "FI", "g1", "fi"),
        ("b@x.fi", "B", "Org B", "Malmö", "SE", "g1", "en"),
        ("c@x.fi", "C", "", "", "", "", None),
    ]


def test_a_repeated_email_in_another_case_is_skipped_and_the_first_row_kept(
    session: Session,
) -> None:
    report = import_participants(
        session, b"email,name\nAnna@Hel.fi,First\nanna@HEL.FI,Second\n", actor=SETUP
    )
    session.commit()
    assert (report.created, report.skipped) == (1, 1)
    assert [(p.line, p.code) for p in report.problems] == [(3, "duplicate_email")]
    assert stored(session)["anna@hel.fi"].name == "First"


def test_emails_with_quotes_and_backslashes_are_matched_on_reimport(session: Session) -> None:
    people = ["o'brien@x.ie", "back\\slash@x.fi", 'double"quote@x.fi', "per%cent_@x.fi"]
    rows = "".join(f'"{email.replace(chr(34), chr(34) * 2)}",Name\n' for email in people)
    assert imported(session, "email,name\n" + rows) == (4, 0, 0)
    assert imported(session, "email,name\n" + rows.replace(",Name", ",Other")) == (0, 4, 0)
    assert {email: p.name for email, p in stored(session).items()} == dict.fromkeys(people, "Other")


def test_a_big_reimport_across_lookup_chunks_creates_updates_and_keeps(session: Session) -> None:
    def rows(count: int, changed: range) -> str:
        return "".join(
            f"p{i}@x{i % 5}.eu,Person {i},,{'Espoo' if i in changed else 'Oulu'},,,\n"
            for i in range(count)
        )

    assert imported(session, HEADER + rows(1100, range(0))) == (1100, 0, 0)
    assert imported(session, HEADER + rows(1300, range(400, 700)), group="g") == (200, 1100, 0)
    assert imported(session, HEADER + rows(1300, range(400, 700)), group="g") == (0, 0, 1300)
    people = stored(session)
    assert len(people) == 1300
    assert [people[f"p{i}@x{i % 5}.eu"].city for i in (399, 400, 699, 700, 1299)] == [
        "Oulu",
        "Espoo",
        "Espoo",
        "Oulu",
        "Oulu",
    ]
    assert {p.group for p in people.values()} == {"g"}
